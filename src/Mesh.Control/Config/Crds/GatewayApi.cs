using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Mesh.Control.Config.Crds;

/// <summary>gateway.networking.k8s.io/v1 Gateway; a waypoint when gatewayClassName is istio-waypoint.</summary>
public sealed class Gateway : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "gateway.networking.k8s.io";
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = Group + "/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "Gateway";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public GatewaySpec? Spec { get; set; }
    [JsonPropertyName("status")] public object? Status { get; set; }
}

/// <summary>
/// gateway.networking.k8s.io/v1 GatewayClass. Only its labels are read: <c>istio.io/waypoint-for</c> on the class is
/// the default for its Gateways (the built-in <c>istio-waypoint</c> class needs no object).
/// </summary>
public sealed class GatewayClass : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = Gateway.Group + "/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "GatewayClass";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public GatewayClassSpec? Spec { get; set; }
    [JsonPropertyName("status")] public object? Status { get; set; }
}

public sealed class GatewayClassSpec
{
    [JsonPropertyName("controllerName")] public string? ControllerName { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("parametersRef")] public object? ParametersRef { get; set; }
}

public sealed class GatewaySpec
{
    [JsonPropertyName("gatewayClassName")] public string? GatewayClassName { get; set; }
    [JsonPropertyName("listeners")] public IList<GatewayListener>? Listeners { get; set; }
    [JsonPropertyName("addresses")] public IList<GatewayAddress>? Addresses { get; set; }
    [JsonPropertyName("infrastructure")] public object? Infrastructure { get; set; }
}

public sealed class GatewayListener
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("tls")] public object? Tls { get; set; }
    [JsonPropertyName("allowedRoutes")] public object? AllowedRoutes { get; set; }
}

public sealed class GatewayAddress
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("value")] public string? Value { get; set; }
}

/// <summary>gateway.networking.k8s.io/v1 HTTPRoute (L7 routing arrives with the waypoint; kept here as parsed).</summary>
public sealed class HttpRoute : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = Gateway.Group + "/v1";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "HTTPRoute";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public HttpRouteSpec? Spec { get; set; }
    [JsonPropertyName("status")] public object? Status { get; set; }
}

public sealed class HttpRouteSpec
{
    [JsonPropertyName("parentRefs")] public IList<ParentReference>? ParentRefs { get; set; }
    [JsonPropertyName("hostnames")] public IList<string>? Hostnames { get; set; }
    [JsonPropertyName("rules")] public IList<HttpRouteRule>? Rules { get; set; }
}

public sealed class ParentReference
{
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("sectionName")] public string? SectionName { get; set; }
    [JsonPropertyName("port")] public int? Port { get; set; }
}

public sealed class HttpRouteRule
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("matches")] public IList<object>? Matches { get; set; }
    [JsonPropertyName("filters")] public IList<object>? Filters { get; set; }
    [JsonPropertyName("backendRefs")] public IList<HttpBackendRef>? BackendRefs { get; set; }
    [JsonPropertyName("timeouts")] public object? Timeouts { get; set; }
    [JsonPropertyName("retry")] public object? Retry { get; set; }
    [JsonPropertyName("sessionPersistence")] public object? SessionPersistence { get; set; }
}

public sealed class HttpBackendRef
{
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("port")] public int? Port { get; set; }
    [JsonPropertyName("weight")] public int? Weight { get; set; }
    [JsonPropertyName("filters")] public IList<object>? Filters { get; set; }
}
