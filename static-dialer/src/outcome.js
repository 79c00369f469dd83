// Why a call ended, in the words sales staff use, from what the SDK leaves on the call at hang-up
// (cause and causeCode from the BYE, sipCode and sipReason when Telnyx sends them).

const BUSY = new Set(['USER_BUSY']);
const NO_ANSWER = new Set(['NO_ANSWER', 'NO_USER_RESPONSE', 'ALLOTTED_TIMEOUT', 'RECOVERY_ON_TIMER_EXPIRE', 'TIMEOUT']);
const REJECTED = new Set(['CALL_REJECTED']);
const BAD_NUMBER = new Set(['UNALLOCATED_NUMBER', 'NO_ROUTE_DESTINATION', 'INVALID_NUMBER_FORMAT', 'NUMBER_CHANGED']);

/**
 * @param {{cause?: string, causeCode?: number, sipCode?: number, sipReason?: string}} call
 * @param {{answered: boolean, hungUpByUs: boolean}} how
 * @returns {{kind: string, text: string}}
 */
export function describeOutcome(call, { answered, hungUpByUs }) {
  const cause = String(call.cause || '').toUpperCase();
  const sip = Number(call.sipCode) || 0;
  const detail = [call.sipCode, call.sipReason].filter(Boolean).join(' ');
  if (answered) {
    return hungUpByUs
      ? { kind: 'completed', text: 'Answered, you hung up' }
      : { kind: 'completed', text: 'Answered, they hung up' };
  }
  if (hungUpByUs) {
    return { kind: 'canceled', text: 'You cancelled it before it was answered' };
  }
  if (BUSY.has(cause) || sip === 486 || sip === 600) {
    return { kind: 'busy', text: 'Busy' };
  }
  if (NO_ANSWER.has(cause) || sip === 408 || sip === 480) {
    return { kind: 'no-answer', text: 'No answer' };
  }
  if (REJECTED.has(cause) || sip === 603) {
    return { kind: 'rejected', text: 'Rejected by the callee' };
  }
  if (BAD_NUMBER.has(cause) || sip === 404 || sip === 484) {
    return { kind: 'failed', text: 'Number not in service' + (detail ? ` (${detail})` : '') };
  }
  const reason = [cause ? cause.toLowerCase().replace(/_/g, ' ') : '', detail].filter(Boolean).join(', ');
  return { kind: 'failed', text: 'Call failed' + (reason ? ` (${reason})` : '') };
}
