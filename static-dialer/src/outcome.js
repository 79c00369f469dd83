// The page's own first guess at why a call ended, in the words sales staff use, from what the SDK leaves on the call
// at hang-up (cause and causeCode from the BYE, sipCode and sipReason when Telnyx sends them). It stands until the
// server's truth (truth.js) names the call log's ending: in the parked flow only the backend knows the destination's.
// The endings and their words are one table with the backend's (call-endings.json, read by its CallEnding tests).
import table from './call-endings.json' with { type: 'json' };

const BUSY = new Set(['USER_BUSY']);
const NO_ANSWER = new Set(['NO_ANSWER', 'NO_USER_RESPONSE', 'ALLOTTED_TIMEOUT', 'RECOVERY_ON_TIMER_EXPIRE', 'TIMEOUT']);
const REJECTED = new Set(['CALL_REJECTED']);
const BAD_NUMBER = new Set(['UNALLOCATED_NUMBER', 'NO_ROUTE_DESTINATION', 'INVALID_NUMBER_FORMAT', 'NUMBER_CHANGED']);

const { endings, words } = table;
const ending = (key, text = endings[key].text) => ({ kind: endings[key].kind, text });

/**
 * The outcome in plain words; codes never (they belong to the details line).
 * @param {{cause?: string, causeCode?: number, sipCode?: number, sipReason?: string}} call
 * @param {{answered: boolean, hungUpByUs: boolean}} how
 * @returns {{kind: string, text: string}}
 */
export function describeOutcome(call, { answered, hungUpByUs }) {
  const cause = String(call.cause || '').toUpperCase();
  const sip = Number(call.sipCode) || 0;
  if (answered) {
    return ending('completed', hungUpByUs ? words.answered_we_hung_up : words.answered_they_hung_up);
  }
  if (hungUpByUs) {
    return ending('canceled', words.we_cancelled);
  }
  if (BUSY.has(cause) || sip === 486 || sip === 600) {
    return ending('busy');
  }
  if (NO_ANSWER.has(cause) || sip === 408 || sip === 480) {
    return ending('no-answer');
  }
  if (REJECTED.has(cause) || sip === 603) {
    return ending('rejected');
  }
  if (BAD_NUMBER.has(cause) || sip === 404 || sip === 484) {
    return ending('invalid-number');
  }
  return ending('failed', words.failed); // the cause and SIP code go to the details line (call.js endCause)
}
