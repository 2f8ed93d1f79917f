export default defineAppConfig({
  pages: ['pages/index/index'],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#fff8e7',
    navigationBarTitleText: '我的深圳故事',
    navigationBarTextStyle: 'black',
    backgroundColor: '#fff8e7',
  },
  // Declared for WeChat's privacy guide (album/camera use comes with the photo page).
  __usePrivacyCheck__: true,
  lazyCodeLoading: 'requiredComponents',
});
