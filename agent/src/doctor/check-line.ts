// The doctor line format is shared with the agent; it lives in core.
export {
  type CheckLine,
  type CheckStatus,
  checkFail as fail,
  checkOk as ok,
  checkWarn as warn,
  formatCheckLines as formatLines,
} from '@deskrec/core';
