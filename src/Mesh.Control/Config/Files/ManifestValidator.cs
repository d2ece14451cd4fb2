using System.Globalization;
using k8s;
using k8s.Models;
using Mesh.Control.Config.Crds;

namespace Mesh.Control.Config.Files;

/// <summary>A field-level validation problem; the path uses Kubernetes' field.Path syntax.</summary>
internal sealed record FieldError(string Path, string Message);

/// <summary>
/// The checks Kubernetes (or Istio's validating webhook) would apply at admission and that the mesh depends on.
/// Not a full re-implementation of apiserver validation: only what would otherwise surface later as a confusing
/// state (a pod with no process, a port that cannot be bound, a policy with an action we silently ignore).
/// </summary>
internal static class ManifestValidator
{
    private static readonly string[] AuthorizationActions = ["ALLOW", "DENY", "AUDIT", "CUSTOM"];
    private static readonly string[] MtlsModes = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"];

    public static IReadOnlyList<FieldError> Validate(IKubernetesObject<V1ObjectMeta> obj)
    {
        var errors = new List<FieldError>();
        ValidateMetadata(obj, errors);
        switch (obj)
        {
            case V1Pod pod:
                ValidatePodSpec(pod.Spec, "spec", errors);
                break;
            case V1Deployment deployment:
                ValidateDeployment(deployment, errors);
                break;
            case V1Service service:
                ValidateService(service, errors);
                break;
            case AuthorizationPolicy policy:
                ValidateAuthorizationPolicy(policy, errors);
                break;
            case PeerAuthentication peer:
                ValidatePeerAuthentication(peer, errors);
                break;
        }
        return errors;
    }

    private static void ValidateMetadata(IKubernetesObject<V1ObjectMeta> obj, List<FieldError> errors)
    {
        var meta = obj.Metadata;
        if (string.IsNullOrEmpty(meta?.Name))
        {
            errors.Add(new("metadata.name", "Required value: name is required"));
        }
        else
        {
            var problem = obj switch
            {
                V1Namespace => DnsNames.Label(meta.Name),
                V1Service => DnsNames.Rfc1035Label(meta.Name),
                _ => DnsNames.Subdomain(meta.Name),
            };
            if (problem is not null)
                errors.Add(new("metadata.name", Invalid(meta.Name, problem)));
        }
        if (!string.IsNullOrEmpty(meta?.NamespaceProperty) && DnsNames.Label(meta.NamespaceProperty) is { } nsProblem)
            errors.Add(new("metadata.namespace", Invalid(meta.NamespaceProperty, nsProblem)));
    }

    private static void ValidatePodSpec(V1PodSpec? spec, string path, List<FieldError> errors)
    {
        if (spec?.Containers is not { Count: > 0 } containers)
        {
            errors.Add(new($"{path}.containers", "Required value: a pod needs at least one container"));
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i];
            var cPath = $"{path}.containers[{i}]";
            if (string.IsNullOrEmpty(c.Name))
                errors.Add(new($"{cPath}.name", "Required value"));
            else if (DnsNames.Label(c.Name) is { } problem)
                errors.Add(new($"{cPath}.name", Invalid(c.Name, problem)));
            if (string.IsNullOrEmpty(c.Image))
                errors.Add(new($"{cPath}.image", "Required value"));
            for (var p = 0; p < (c.Ports?.Count ?? 0); p++)
                CheckPort(c.Ports![p].ContainerPort, $"{cPath}.ports[{p}].containerPort", errors);
        }
    }

    private static void ValidateDeployment(V1Deployment deployment, List<FieldError> errors)
    {
        var spec = deployment.Spec;
        if (spec is null)
        {
            errors.Add(new("spec", "Required value"));
            return;
        }
        if (spec.Replicas is < 0)
            errors.Add(new("spec.replicas", Invalid(spec.Replicas.Value, "must be greater than or equal to 0")));
        if (LabelSelectors.IsEmpty(spec.Selector))
            errors.Add(new("spec.selector", "Required value: a deployment needs a non-empty selector"));
        else if (!LabelSelectors.Matches(spec.Selector, spec.Template?.Metadata?.Labels))
            errors.Add(new("spec.template.metadata.labels", "Invalid value: `selector` does not match template `labels`"));
        if (spec.Template is null)
            errors.Add(new("spec.template", "Required value"));
        else
            ValidatePodSpec(spec.Template.Spec, "spec.template.spec", errors);
    }

    private static void ValidateService(V1Service service, List<FieldError> errors)
    {
        var ports = service.Spec?.Ports ?? [];
        for (var i = 0; i < ports.Count; i++)
        {
            CheckPort(ports[i].Port, $"spec.ports[{i}].port", errors);
            if (ports[i].TargetPort is { } target && int.TryParse(target.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                CheckPort(number, $"spec.ports[{i}].targetPort", errors);
            if (ports.Count > 1 && string.IsNullOrEmpty(ports[i].Name))
                errors.Add(new($"spec.ports[{i}].name", "Required value: a service with several ports must name each one"));
        }
    }

    private static void ValidateAuthorizationPolicy(AuthorizationPolicy policy, List<FieldError> errors)
    {
        var action = policy.Spec?.Action;
        if (action is not null && !AuthorizationActions.Contains(action, StringComparer.Ordinal))
            errors.Add(new("spec.action", Unsupported(action, AuthorizationActions)));
        if (action == "CUSTOM" && string.IsNullOrEmpty(policy.Spec?.Provider?.Name))
            errors.Add(new("spec.provider.name", "Required value: a CUSTOM action needs a provider"));
    }

    private static void ValidatePeerAuthentication(PeerAuthentication peer, List<FieldError> errors)
    {
        CheckMode(peer.Spec?.Mtls?.Mode, "spec.mtls.mode", errors);
        var portLevel = peer.Spec?.PortLevelMtls;
        if (portLevel is not { Count: > 0 })
            return;
        // Istio: port-level settings only make sense for a selected workload (ports are the pod's, not a namespace's).
        if (peer.Spec?.Selector?.MatchLabels is not { Count: > 0 })
            errors.Add(new("spec.selector", "Required value: portLevelMtls requires a workload selector"));
        foreach (var (key, mtls) in portLevel)
        {
            var ok = uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535;
            if (!ok)
                errors.Add(new($"spec.portLevelMtls[{key}]", Invalid(key, "must be a port number between 1 and 65535")));
            CheckMode(mtls?.Mode, $"spec.portLevelMtls[{key}].mode", errors);
        }
    }

    private static void CheckMode(string? mode, string path, List<FieldError> errors)
    {
        if (mode is not null && !MtlsModes.Contains(mode, StringComparer.Ordinal))
            errors.Add(new(path, Unsupported(mode, MtlsModes)));
    }

    private static void CheckPort(int port, string path, List<FieldError> errors)
    {
        if (port is < 1 or > 65535)
            errors.Add(new(path, Invalid(port, "must be between 1 and 65535, inclusive")));
    }

    private static string Invalid(object value, string detail) =>
        $"Invalid value: {Quote(value)}: {detail}";

    private static string Unsupported(string value, string[] supported) =>
        $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}";

    private static string Quote(object value) => value is string s ? $"\"{s}\"" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
