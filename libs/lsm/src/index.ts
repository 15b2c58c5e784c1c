export const LSM_PACKAGE = '@progress/lsm';
