// Which Ingresses belong to this gateway: those of our IngressClass, when that class exists
// and names our controller; and those without a class when our class is the cluster default.
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';

/** The controller value our IngressClass carries in `spec.controller`. */
export const GATEWAY_CONTROLLER = 'shoal.dev/gateway';
/** The annotation that makes an IngressClass the default for class-less Ingresses. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated pre-1.18 way to name a class, still honoured (as ingress-nginx does). */
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Our class as the cluster sees it. */
export interface ClassClaim {
  /** Our class exists and its spec.controller is ours. */
  owned: boolean;
  /** Our class is marked as the default class. */
  isDefault: boolean;
}

/** Reads our IngressClass (undefined if it does not exist). */
export function claimOf(ingressClass: V1IngressClass | undefined, controller: string): ClassClaim {
  const owned = ingressClass?.spec?.controller === controller;
  return {
    owned,
    isDefault: owned && ingressClass?.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
  };
}

/** Whether the gateway serves this Ingress. */
export function isServedBy(ingress: V1Ingress, className: string, claim: ClassClaim): boolean {
  if (!claim.owned) return false;
  const declared =
    ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (declared === undefined || declared === '') return claim.isDefault;
  return declared === className;
}
