import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';
import campaign from '../templates/campaign.json';
import { checkOperatorContact, isReleaseBuild } from './operator-contact';

/**
 * Taro build config. Sources live in client/src; each platform writes to its own folder so the
 * WeChat build sits where project.config.json's miniprogramRoot points (dist/weapp) and the
 * browser build where the local runtime serves it (dist/h5).
 */
export default defineConfig<'webpack5'>(async (merge) => {
  // The privacy page names the operator: a release build (taro build sets NODE_ENV=production)
  // stops on a placeholder contact; npm start / npm test builds (LOCAL_BUILD=1) only warn.
  checkOperatorContact(campaign.operator, { release: isReleaseBuild(), what: `taro build --type ${process.env.TARO_ENV}` });
  const root = path.resolve(__dirname, '..');
  // Taro's cache lists src/app.config as a build dependency (a fixed path); ours lives in
  // client/src, so restate the cache with the right files or webpack refuses to persist it.
  const fixCache = (chain: any) => {
    const cache = chain.get('cache');
    if (cache && typeof cache === 'object') {
      chain.set('cache', {
        ...cache,
        buildDependencies: {
          config: [path.resolve(root, 'config/index.ts'), path.resolve(root, 'config/dev.ts'), path.resolve(root, 'config/prod.ts')],
          files: [path.resolve(root, 'client/src/app.config.ts'), path.resolve(root, 'babel.config.js'), path.resolve(root, 'package-lock.json')],
        },
      });
    }
  };
  const sharedSource = (file: string) => file.startsWith(path.join(root, 'engine') + path.sep);
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'my-shenzhen-story',
    date: '2026-11-25',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'client/src',
    outputRoot: `dist/${process.env.TARO_ENV ?? 'weapp'}`,
    plugins: [],
    defineConstants: {
      // The one place the WeChat cloud environment id comes from (see README).
      CLOUD_ENV: JSON.stringify(process.env.CLOUD_ENV ?? 'DYNAMIC_CURRENT_ENV'),
      // H5 talks to the local runtime on the same origin unless told otherwise.
      API_BASE: JSON.stringify(process.env.API_BASE ?? ''),
    },
    alias: {
      '@engine': path.resolve(root, 'engine'),
      '@templates': path.resolve(root, 'templates'),
    },
    // The browser build ships the comic typeface (machines without CJK fonts still read Chinese);
    // the mini-program uses the phone's fonts and keeps its package small.
    copy: {
      patterns:
        process.env.TARO_ENV === 'h5'
          ? [{ from: 'node_modules/@expo-google-fonts/zcool-kuaile/400Regular/ZCOOLKuaiLe_400Regular.ttf', to: 'dist/h5/fonts/zcool-kuaile.ttf' }]
          : [],
      options: {},
    },
    framework: 'react',
    // Progress bars only on a terminal; logs from CI and `npm test` stay readable.
    logger: { quiet: !process.stdout.isTTY, stats: false },
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    // Webpack's persistent cache: rebuilds after the first take seconds.
    cache: { enable: true },
    mini: {
      // The client shares pure code (error codes, campaign data) from outside client/src.
      compile: { include: [sharedSource] },
      webpackChain: fixCache,
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
    h5: {
      compile: { include: [sharedSource] },
      webpackChain: fixCache,
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[hash:8].js', chunkFilename: 'js/[name].[chunkhash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[hash].css', chunkFilename: 'css/[name].[chunkhash].css' },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  };
  if (process.env.NODE_ENV === 'development') return merge({}, baseConfig, devConfig);
  return merge({}, baseConfig, prodConfig);
});
