import { PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { initBackend } from './services/backend';
import { loadFonts } from './fonts';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // One place that wires the platform transport (Taro.cloud on WeChat, HTTP in the browser).
    initBackend();
    loadFonts();
  });
  return children;
}

export default App;
