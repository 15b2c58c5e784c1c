export { LSM_PACKAGE } from '@progress/lsm';
export const DOMAIN_PACKAGE = '@progress/domain';
