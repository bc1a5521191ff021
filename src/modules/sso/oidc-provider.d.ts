// oidc-provider ships no types and @types/oidc-provider is not a dependency: the few parts we use
// are typed where we use them (sso.provider.ts).
declare module 'oidc-provider' {
  const Provider: any;
  export default Provider;
  export const interactionPolicy: any;
  export const errors: any;
}
