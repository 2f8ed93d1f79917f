export default definePageConfig({
  navigationBarTitleText: '我的海报',
  enableShareAppMessage: true,
  enableShareTimeline: true,
});
