export default definePageConfig({
  navigationBarTitleText: '我的故事',
  enableShareAppMessage: true,
});
