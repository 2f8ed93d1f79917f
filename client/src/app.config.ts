export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/consent/index',
    'pages/photo/index',
    'pages/progress/index',
    'pages/stories/index',
    'pages/poster/index',
    'pages/mine/index',
    'pages/privacy/index',
  ],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#fff8e7',
    navigationBarTitleText: '我的深圳故事',
    navigationBarTextStyle: 'black',
    backgroundColor: '#fff8e7',
  },
  // WeChat's privacy guide: chooseMedia (album/camera) and saveImageToPhotosAlbum are declared in
  // the mini-program's privacy settings on mp.weixin.qq.com; the consent page handles onNeedPrivacyAuthorization.
  __usePrivacyCheck__: true,
  lazyCodeLoading: 'requiredComponents',
});
