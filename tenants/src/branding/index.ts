export { LogoInvalidError, LogoTooLargeError, LogoUnsupportedTypeError } from './errors.ts';
export { type LogoMediaType, MAX_LOGO_BYTES, type ValidatedLogo, validateLogo } from './logo.ts';
export {
  type BrandingTheme,
  DEFAULT_PRIMARY_COLOR,
  DEFAULT_SECONDARY_COLOR,
  normaliseCustomDomain,
  renderBrandingCss,
  toBrandingTheme,
} from './theme.ts';
