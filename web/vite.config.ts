import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Vendor groups: the phone pages load only `react`; the desktop shell adds antd and pro-components;
// charts load with the pages that draw them.
const VENDOR_GROUPS: [name: string, test: RegExp][] = [
  ['echarts', /node_modules[\\/](echarts|zrender|echarts-for-react)[\\/]/],
  ['pro', /node_modules[\\/]@ant-design[\\/]pro-/],
  [
    'antd',
    /node_modules[\\/](antd|@ant-design|@rc-component|rc-[^\\/]+|@ctrl|@emotion|stylis|dayjs|classnames|throttle-debounce|compute-scroll-into-view|scroll-into-view-if-needed|copy-to-clipboard|json2mvu|qrcode)[\\/]/,
  ],
  ['zod', /node_modules[\\/]zod[\\/]/],
  // The patrol page's QR fallback, loaded only where the browser has no BarcodeDetector.
  ['jsqr', /node_modules[\\/]jsqr[\\/]/],
  [
    'react',
    /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack|i18next|react-i18next|cookie|set-cookie-parser|use-sync-external-store|react-is)[\\/]/,
  ],
  // Everything else the desktop pulls in (babel helpers, lodash, rc-util…), so no stray vendor chunks form cycles.
  ['vendor', /node_modules[\\/]/],
];

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // Keep each vendor in its own group; otherwise pro-components would swallow antd.
          includeDependenciesRecursively: false,
          groups: VENDOR_GROUPS.map(([name, test], index) => ({ name, test, priority: VENDOR_GROUPS.length - index })),
        },
      },
    },
  },
});
