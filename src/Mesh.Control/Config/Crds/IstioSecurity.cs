using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Mesh.Control.Config.Crds;

/// <summary>Label selector as used by Istio security CRDs (matchLabels only).</summary>
public sealed class WorkloadSelector
{
    [JsonPropertyName("matchLabels")] public IDictionary<string, string>? MatchLabels { get; set; }
}

/// <summary>A Gateway API style policy attachment (Istio targetRef/targetRefs).</summary>
public sealed class PolicyTargetReference
{
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
}

/// <summary>security.istio.io/v1 AuthorizationPolicy.</summary>
public sealed class AuthorizationPolicy : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "security.istio.io";
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = Group + "/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "AuthorizationPolicy";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public AuthorizationPolicySpec? Spec { get; set; }
    [JsonPropertyName("status")] public object? Status { get; set; }
}

public sealed class AuthorizationPolicySpec
{
    [JsonPropertyName("selector")] public WorkloadSelector? Selector { get; set; }
    [JsonPropertyName("targetRef")] public PolicyTargetReference? TargetRef { get; set; }
    [JsonPropertyName("targetRefs")] public IList<PolicyTargetReference>? TargetRefs { get; set; }
    [JsonPropertyName("rules")] public IList<AuthorizationRule>? Rules { get; set; }
    /// <summary>ALLOW (default), DENY, AUDIT or CUSTOM.</summary>
    [JsonPropertyName("action")] public string? Action { get; set; }
    [JsonPropertyName("provider")] public ExtensionProvider? Provider { get; set; }
}

public sealed class ExtensionProvider
{
    [JsonPropertyName("name")] public string? Name { get; set; }
}

public sealed class AuthorizationRule
{
    [JsonPropertyName("from")] public IList<RuleFrom>? From { get; set; }
    [JsonPropertyName("to")] public IList<RuleTo>? To { get; set; }
    [JsonPropertyName("when")] public IList<Condition>? When { get; set; }
}

public sealed class RuleFrom
{
    [JsonPropertyName("source")] public Source? Source { get; set; }
}

public sealed class RuleTo
{
    [JsonPropertyName("operation")] public Operation? Operation { get; set; }
}

public sealed class Source
{
    [JsonPropertyName("principals")] public IList<string>? Principals { get; set; }
    [JsonPropertyName("notPrincipals")] public IList<string>? NotPrincipals { get; set; }
    [JsonPropertyName("requestPrincipals")] public IList<string>? RequestPrincipals { get; set; }
    [JsonPropertyName("notRequestPrincipals")] public IList<string>? NotRequestPrincipals { get; set; }
    [JsonPropertyName("namespaces")] public IList<string>? Namespaces { get; set; }
    [JsonPropertyName("notNamespaces")] public IList<string>? NotNamespaces { get; set; }
    [JsonPropertyName("serviceAccounts")] public IList<string>? ServiceAccounts { get; set; }
    [JsonPropertyName("notServiceAccounts")] public IList<string>? NotServiceAccounts { get; set; }
    [JsonPropertyName("ipBlocks")] public IList<string>? IpBlocks { get; set; }
    [JsonPropertyName("notIpBlocks")] public IList<string>? NotIpBlocks { get; set; }
    [JsonPropertyName("remoteIpBlocks")] public IList<string>? RemoteIpBlocks { get; set; }
    [JsonPropertyName("notRemoteIpBlocks")] public IList<string>? NotRemoteIpBlocks { get; set; }
}

public sealed class Operation
{
    [JsonPropertyName("hosts")] public IList<string>? Hosts { get; set; }
    [JsonPropertyName("notHosts")] public IList<string>? NotHosts { get; set; }
    [JsonPropertyName("ports")] public IList<string>? Ports { get; set; }
    [JsonPropertyName("notPorts")] public IList<string>? NotPorts { get; set; }
    [JsonPropertyName("methods")] public IList<string>? Methods { get; set; }
    [JsonPropertyName("notMethods")] public IList<string>? NotMethods { get; set; }
    [JsonPropertyName("paths")] public IList<string>? Paths { get; set; }
    [JsonPropertyName("notPaths")] public IList<string>? NotPaths { get; set; }
}

public sealed class Condition
{
    [JsonPropertyName("key")] public string? Key { get; set; }
    [JsonPropertyName("values")] public IList<string>? Values { get; set; }
    [JsonPropertyName("notValues")] public IList<string>? NotValues { get; set; }
}

/// <summary>security.istio.io/v1 PeerAuthentication.</summary>
public sealed class PeerAuthentication : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = AuthorizationPolicy.Group + "/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "PeerAuthentication";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public PeerAuthenticationSpec? Spec { get; set; }
    [JsonPropertyName("status")] public object? Status { get; set; }
}

public sealed class PeerAuthenticationSpec
{
    [JsonPropertyName("selector")] public WorkloadSelector? Selector { get; set; }
    [JsonPropertyName("mtls")] public MutualTls? Mtls { get; set; }
    /// <summary>Port number (as a string key) → mode override.</summary>
    [JsonPropertyName("portLevelMtls")] public IDictionary<string, MutualTls>? PortLevelMtls { get; set; }
}

public sealed class MutualTls
{
    /// <summary>UNSET, DISABLE, PERMISSIVE or STRICT.</summary>
    [JsonPropertyName("mode")] public string? Mode { get; set; }
}
