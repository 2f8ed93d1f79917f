export default definePageConfig({
  navigationBarTitleText: '上传自拍',
});
