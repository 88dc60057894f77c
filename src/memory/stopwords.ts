/** Common English function words: they say nothing about what a text is about. */
export const STOPWORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from into onto about as is are was were be been being ' +
    'has have had do does did this that these those it its he she they them his her their we our you your i my ' +
    'me not no so than then there here now just also very can could will would should may might must shall'
  ).split(' '),
);
