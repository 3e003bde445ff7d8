export { runDemoCli } from './run-demo-cli.js';
export { type Demo, type DemoOptions, startDemo } from './start-demo.js';
