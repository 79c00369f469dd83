// Why a call ended, in the words sales staff use, from what the SDK leaves on the call at hang-up
// (cause and causeCode from the BYE, sipCode and sipReason when Telnyx sends them) and, in the parked flow, from the
// destination's outcome our backend names in the X-Cold-Call-Outcome header of its hang-up of the browser's leg
// (and, when its call gate refused the call, why, in X-Cold-Call-Reason).
// The endings and their words are one table with the backend's (call-endings.json, read by its CallEnding tests):
// the header names an ending by its key, and the Web Backend's call_status of each ending stands beside its words.
import table from './call-endings.json' with { type: 'json' };

const BUSY = new Set(['USER_BUSY']);
const NO_ANSWER = new Set(['NO_ANSWER', 'NO_USER_RESPONSE', 'ALLOTTED_TIMEOUT', 'RECOVERY_ON_TIMER_EXPIRE', 'TIMEOUT']);
const REJECTED = new Set(['CALL_REJECTED']);
const BAD_NUMBER = new Set(['UNALLOCATED_NUMBER', 'NO_ROUTE_DESTINATION', 'INVALID_NUMBER_FORMAT', 'NUMBER_CHANGED']);

/** The header our backend puts on its hang-up of a parked browser leg whose transfer failed. */
export const OUTCOME_HEADER = table.header.toLowerCase();
const { endings, words } = table;
const ending = (key, text = endings[key].text) => ({ kind: endings[key].kind, text });
/** The endings a header may name, with words of their own (an answer or a cancel there names nothing). */
const DESTINATION = Object.fromEntries(Object.keys(endings).filter((key) => endings[key].text)
  .map((key) => [key, ending(key)]));

/**
 * The custom headers of a `telnyx_rtc.bye`'s params, wherever they ride: `dialogParams.custom_headers` (how headers
 * arrive on an INVITE), `dialogParams.customHeaders` (what the SDK copies onto the call), or the same at the top.
 */
export function byeHeaders(params) {
  const places = [params?.dialogParams?.custom_headers, params?.dialogParams?.customHeaders, params?.custom_headers,
    params?.customHeaders];
  return places.filter(Array.isArray).flat()
    .filter((header) => typeof header?.name === 'string' && typeof header?.value === 'string');
}

/** The header beside it that says, in plain words, why the backend's call gate refused the call. */
export const REASON_HEADER = table.reason_header.toLowerCase();
/** The endings of a call the backend refused to connect: their words take the reason after them. */
const REFUSED = new Set(['blocked', 'limited']);

/**
 * The destination's outcome named by a BYE's X-Cold-Call-Outcome header, or null; a refused call's words end with
 * the X-Cold-Call-Reason header's reason (shown as text, never as markup).
 */
export function destinationOutcome(params) {
  const headers = byeHeaders(params);
  const header = headers.find((h) => h.name.toLowerCase() === OUTCOME_HEADER);
  const key = header ? header.value.trim().toLowerCase() : null;
  const outcome = key ? DESTINATION[key] || null : null;
  const reason = headers.find((h) => h.name.toLowerCase() === REASON_HEADER)?.value.trim().slice(0, 200);
  return outcome && REFUSED.has(key) && reason ? { ...outcome, text: `${outcome.text}: ${reason}` } : outcome;
}

/**
 * @param {{cause?: string, causeCode?: number, sipCode?: number, sipReason?: string}} call
 * @param {{answered: boolean, hungUpByUs: boolean, destination?: {kind: string, text: string}|null}} how
 * @returns {{kind: string, text: string}}
 */
export function describeOutcome(call, { answered, hungUpByUs, destination = null }) {
  const cause = String(call.cause || '').toUpperCase();
  const sip = Number(call.sipCode) || 0;
  const detail = [call.sipCode, call.sipReason].filter(Boolean).join(' ');
  if (answered) {
    return ending('completed', hungUpByUs ? words.answered_we_hung_up : words.answered_they_hung_up);
  }
  if (hungUpByUs) {
    return ending('canceled', words.we_cancelled);
  }
  if (destination) {
    return destination;
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
    return ending('invalid-number', endings['invalid-number'].text + (detail ? ` (${detail})` : ''));
  }
  const reason = [cause ? cause.toLowerCase().replace(/_/g, ' ') : '', detail].filter(Boolean).join(', ');
  return ending('failed', words.failed + (reason ? ` (${reason})` : ''));
}
