export const DOMAIN_PACKAGE = '@progress/domain';
