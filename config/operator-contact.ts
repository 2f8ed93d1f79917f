/**
 * The campaign operator's contact (templates/campaign.json `operator`) is what the privacy policy
 * names as the handler of the user's data (PIPL art. 17: name and contact). The repository ships
 * a placeholder; a release build must not: builds for deployment fail on it, builds for the local
 * runtime and the tests only warn. Used by config/index.ts (Taro builds), scripts/build-functions.ts,
 * scripts/prepare.ts and scripts/start.ts. Plain data in, no dependencies.
 */

export interface OperatorContact {
  name: string;
  email: string;
  phone?: string;
  address?: string;
}

/** Domains reserved for examples and tests (RFC 2606 / RFC 6761): never a real mailbox. */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;
/** Words that mark a value as still to be filled in. */
const PLACEHOLDER_WORDS = /待填写|待定|请填写|占位|示例|todo|tbd|placeholder|your[-_ ]?(name|company|email)|xxx/i;

/** What is wrong with the contact for a release, in Chinese and English; empty when it is fine. */
export function operatorContactProblems(operator: Partial<OperatorContact> | undefined): string[] {
  if (!operator) return ['templates/campaign.json has no "operator" (name and email of the campaign operator)'];
  const problems: string[] = [];
  const domain = (operator.email ?? '').split('@')[1] ?? '';
  if (!operator.email || RESERVED_DOMAIN.test(domain)) problems.push(`operator.email "${operator.email ?? ''}" is an example address`);
  for (const field of ['name', 'email', 'phone', 'address'] as const) {
    const value = operator[field];
    if (value && PLACEHOLDER_WORDS.test(value)) problems.push(`operator.${field} "${value}" is a placeholder`);
  }
  return problems;
}

/**
 * A build for deployment: NODE_ENV=production (what `taro build` sets when NODE_ENV is unset, and
 * the default of build:functions), unless LOCAL_BUILD=1 (the builds npm start and npm test make).
 */
export function isReleaseBuild(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NODE_ENV ?? 'production') === 'production' && env.LOCAL_BUILD !== '1';
}

/**
 * Release: throws with what to do. Otherwise: one warning on stderr when the contact is a
 * placeholder (the privacy page then shows the placeholder).
 */
export function checkOperatorContact(operator: Partial<OperatorContact> | undefined, opts: { release: boolean; what: string }): void {
  const problems = operatorContactProblems(operator);
  if (!problems.length) return;
  const text =
    `${opts.what}: the privacy policy's operator contact is not filled in — ${problems.join('; ')}. ` +
    `Put the campaign operator's name and a real mailbox (phone and address optional) in templates/campaign.json "operator" ` +
    `(隐私政策里的运营方联系方式仍是示例：请在 templates/campaign.json 的 operator 中填写运营方名称和真实邮箱).`;
  if (opts.release) throw new Error(text);
  console.warn(`[warning] ${text} Allowed here: not a release build.`);
}
