// Runs once in each test process of jest-light-runner, before any suite. The suites run in plain Node
// processes that live for many suites, so the platform's modules load once per process instead of once
// per suite (jest's default runner re-evaluates the whole module graph for every file, which was most
// of an integration suite's fixed cost). Suites share nothing else: each starts its own stack on a
// database of its own.
//
// TypeScript is loaded by tsx, as `npm start` runs it.
import 'tsx';
import { clearTimeout, setTimeout } from 'node:timers';
import { addEventHandler, getState } from 'jest-circus';

// jest-light-runner gives tests no timeout, so a test waiting forever would hang the run; this puts
// jest's back: 60 s unless the file calls jest.setTimeout (or the test passes its own), for hooks too.
const DEFAULT_TIMEOUT_MS = 60_000;
const fileTimeouts = new WeakMap();

globalThis.jest.setTimeout = (milliseconds) => {
  // The runner resets circus's state before each file, so the setting ends with its file.
  fileTimeouts.set(getState(), milliseconds);
  return globalThis.jest;
};

function withTimeout(entry, what) {
  const run = entry.fn;
  const milliseconds = entry.timeout ?? fileTimeouts.get(getState()) ?? DEFAULT_TIMEOUT_MS;
  entry.fn = () => {
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Exceeded timeout of ${milliseconds} ms for ${what}.`)), milliseconds);
    });
    const finished = run.length > 0 ? new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve()))) : Promise.resolve().then(run);
    return Promise.race([finished, expired]).finally(() => clearTimeout(timer));
  };
}

addEventHandler((event, state) => {
  if (event.name === 'add_test') {
    const test = state.currentDescribeBlock.children.at(-1);
    if (test?.type === 'test' && test.fn === event.fn) withTimeout(test, 'a test');
  } else if (event.name === 'add_hook') {
    const hook = state.currentDescribeBlock.hooks.at(-1);
    if (hook?.fn === event.fn) withTimeout(hook, `a ${hook.type} hook`);
  }
});
