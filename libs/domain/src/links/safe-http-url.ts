/**
 * The link check where listings are parsed: the same function as the one rendering uses (safeUrl), so a
 * link a source gave is judged alike wherever it goes.
 */
export { safeUrl as safeHttpUrl } from '../rendering/html';
