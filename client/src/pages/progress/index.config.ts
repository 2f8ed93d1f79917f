export default definePageConfig({
  navigationBarTitleText: '绘制中',
});
