export const DEFAULT_FILE_NAME_TEMPLATE =
  '%{start-time#%Y%m%d}/%{start-time#%Y%m%d%H%M%S}-%{recording-id}.mp4';
