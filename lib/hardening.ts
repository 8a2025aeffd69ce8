import * as kplus from 'cdk8s-plus-28';

/**
 * Security settings shared by every container we run: no privilege
 * escalation, no extra capabilities, the runtime's default seccomp profile.
 */
export function hardenedContainer(opts: { readOnlyRootFilesystem: boolean; nonRoot: boolean; user?: number; group?: number }): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: opts.nonRoot,
    user: opts.user,
    group: opts.group,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: opts.readOnlyRootFilesystem,
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}
