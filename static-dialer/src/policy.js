// The numbers this dialer may call, checked before dialling with the backend's own rule set (GET /dial-policy,
// docs/call-policy.md). The backend checks every call again and is the authority: this only spares the rep a call
// that would be refused, and says why in the same words.

/** Whether an E.164 number starts with a pattern (`X` stands for any one digit). */
export function matches(pattern, number) {
  if (typeof pattern !== 'string' || number.length < pattern.length) {
    return false;
  }
  for (let i = 0; i < pattern.length; i += 1) {
    if (pattern[i] !== 'X' && pattern[i] !== number[i]) {
      return false;
    }
  }
  return true;
}

/**
 * The verdict on an E.164 number under the backend's rule set, in the backend's order: our own number, the denied
 * ranges, the allowed prefixes. Without a rule set (not loaded) every number passes: the backend still checks.
 * @returns {{ok: true} | {ok: false, rule: string, message: string}}
 */
export function checkDestination(policy, e164) {
  if (!policy || typeof e164 !== 'string') {
    return { ok: true };
  }
  const refuse = (rule, reason) => ({ ok: false, rule, message: `This number cannot be called: ${reason}.` });
  if (policy.own_number && e164 === policy.own_number) {
    return refuse('own_number', 'it is our own caller ID, the call would loop back to us');
  }
  for (const range of Array.isArray(policy.denied) ? policy.denied : []) {
    if (matches(range?.prefix, e164)) {
      return refuse(String(range.rule), String(range.reason));
    }
  }
  const allowed = Array.isArray(policy.allowed_prefixes) ? policy.allowed_prefixes : [];
  if (allowed.length && !allowed.some((prefix) => matches(prefix, e164))) {
    return refuse('outside_allowed', `outside the destinations this dialer may call (${allowed.join(', ')})`);
  }
  return { ok: true };
}
