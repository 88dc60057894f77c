/** Common English function words: they say nothing about what a text is about. */
export const STOPWORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from into onto about as is are was were be been being ' +
    'has have had do does did this that these those it its he she they them his her their we our you your i my ' +
    'me not no so than then there here now just also very can could will would should may might must shall'
  ).split(' '),
);

/**
 * A text's content words, lower-cased, stopwords left out, and a plural `s` dropped so that "ports"
 * meets "port" (a rough stand-in for the Porter stemming of the full-text index).
 */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOPWORDS.has(token)) continue;
    words.add(token.length > 3 && token.endsWith('s') && !token.endsWith('ss') ? token.slice(0, -1) : token);
  }
  return words;
}

/**
 * Words nearly every request to an agent has (its verbs, and the words of agentd's own records):
 * sharing one says nothing about whether a memory is about the task.
 */
export const GENERIC_WORDS = new Set(
  (
    'please write make create give tell list explain summarise summarize describe show find draft ' +
    'translate generate compose rewrite answer reply use using used add remove fix implement help ' +
    'consider note remember need want get know think like say said go see take work doe done made ' +
    'thing way time today new good best question result output task team model succeeded failed ' +
    'run what which who whom whose when where why how'
  ).split(' '),
);
