// The labels docker puts on everything a stack creates.

export const LABEL_NAMESPACE = 'com.docker.stack.namespace';
export const LABEL_IMAGE = 'com.docker.stack.image';
