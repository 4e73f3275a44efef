/**
 * The language a model's text is in, read from its Hub id or folder name, for `Intl.Segmenter`. Only the
 * languages whose word breaks differ by language matter much (ICU segments Chinese, Japanese, Thai, Khmer,
 * Lao and Burmese by dictionary whatever the locale); undefined where the name says nothing.
 */
const NAMED: [RegExp, string][] = [
  [/chinese|(^|[-_/])zh($|[-_/])|macbert|ernie/i, 'zh'],
  [/japanese|(^|[-_/])ja($|[-_/])/i, 'ja'],
  [/korean|(^|[-_/])ko($|[-_/])|klue/i, 'ko'],
  [/thai|(^|[-_/])th($|[-_/])|wangchan/i, 'th'],
  [/(^|[-_/])(bert-base|bert-large|distilbert-base|roberta-base|roberta-large)-(un)?cased$|english|(^|[-_/])en($|[-_/])/i, 'en'],
];

export function modelLanguage(modelId: string): string | undefined {
  const name = modelId.replace(/\\/g, '/');
  return NAMED.find(([pattern]) => pattern.test(name))?.[1];
}
