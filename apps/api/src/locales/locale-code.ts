/** BCP 47-like codes as Contentful accepts them: `en`, `en-US`, `zh-Hant-TW`. */
export const LOCALE_CODE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$/;

export const LOCALE_CODE_MESSAGE = 'must be a locale code such as en-US';

const displayNames = new Intl.DisplayNames(['en'], { type: 'language', languageDisplay: 'standard' });

/** The English name of a locale code, as Contentful names the default locale it creates (`de-DE` → German (Germany)). */
export function localeNameOf(code: string): string {
  try {
    return displayNames.of(code) ?? code;
  } catch {
    // A code ICU cannot read (a well-formed but unknown private subtag): its own code is its name.
    return code;
  }
}
