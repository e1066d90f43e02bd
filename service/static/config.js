// The service's limits and wording, from GET /config (defined once, in the service): the chat
// keeps no copies. Should the service not answer, no limit is checked here (the service still
// refuses what is over them) and an abstention shows the service's own answer text.

export async function loadConfig(fetchFn = fetch) {
  try {
    const response = await fetchFn("/config");
    if (!response.ok) throw new Error(String(response.status));
    return configOf(await response.json());
  } catch {
    return configOf({});
  }
}

export function configOf(body) {
  const whole = (n) => (Number.isInteger(n) && n > 0 ? n : Infinity);
  return {
    maxQuestionChars: whole(body.max_question_chars),
    maxHistoryTurns: whole(body.max_history_turns),
    abstainMessage: typeof body.abstain_message === "string" ? body.abstain_message : "",
  };
}
