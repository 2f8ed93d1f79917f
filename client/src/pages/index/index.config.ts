export default definePageConfig({
  navigationBarTitleText: '我的深圳故事',
  enableShareAppMessage: true,
});
