import { ApiException, HttpMethod, RequestContext, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { fetch } from 'undici';

export interface RawRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

/**
 * Requests with the kubeconfig's credentials and TLS, bodies as plain JSON both ways. client-node's
 * typed and generic clients pass built-in kinds through generated models that silently drop
 * fields they spell differently (`from` in a NetworkPolicy, `default` in a LimitRange): for
 * objects the operator declares, that would apply something other than what was rendered.
 */
export async function rawRequest<T>(kubeConfig: KubeConfig, request: RawRequest): Promise<T> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no current cluster');
  const url = new URL(`${server.replace(/\/$/, '')}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
  const context = new RequestContext(url.toString(), HttpMethod[request.method]);
  await kubeConfig.applySecurityAuthentication(context);
  const headers: Record<string, string> = { ...context.getHeaders(), accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = request.contentType ?? 'application/json';
  const response = await fetch(url, {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    dispatcher: context.getDispatcher(),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new ApiException(response.status, `${request.method} ${request.path}: HTTP ${response.status}`, text, Object.fromEntries(response.headers));
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Where a kind lives in the API. */
export interface ResourceLocation {
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

/** `apps/v1/Deployment`: how caches and writers key a kind. */
export function kindKey(object: { apiVersion?: string; kind?: string }): string {
  return `${object.apiVersion ?? ''}/${object.kind ?? ''}`;
}

/** `/api/v1`, `/apis/apps/v1`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** `/apis/apps/v1/namespaces/ns/deployments/name`, `/api/v1/namespaces/name`. */
export function objectPath(location: ResourceLocation, object: KubernetesObject): string {
  const namespace = location.namespaced ? `/namespaces/${object.metadata?.namespace ?? ''}` : '';
  return `${groupVersionPath(location.apiVersion)}${namespace}/${location.plural}/${object.metadata?.name ?? ''}`;
}
