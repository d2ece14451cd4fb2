using Akka.Actor;
using Akka.Hosting;
using Mesh.Control.Ambient;
using Mesh.Control.Config.Files;
using Mesh.Control.Distribution;
using Mesh.Control.Local;
using Mesh.Protocol.Admin;

namespace Mesh.Control.Hosting;

/// <summary>
/// YAML → state → cluster: watches the manifest directory, recomputes the mesh state on every change and
/// hands it to the local state publisher. Keeps the latest snapshot for the <c>config status</c> view, and feeds the
/// local-mode desired state (<see cref="LocalDesiredFeed"/>) that the local supervisor watches.
/// </summary>
public sealed class ConfigPipeline(
    ControlOptions options,
    IRequiredActor<StatePublisher> publisher,
    LocalDesiredFeed localDesired,
    ILogger<ConfigPipeline> logger,
    ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly object _gate = new();
    private ManifestDirectorySource? _source;
    private IActorRef? _publisher;
    private IReadOnlyList<string> _lastWarnings = [];

    public ManifestSnapshot Current => _source?.Current ?? ManifestSnapshot.Empty;

    /// <summary>The latest computed state (the CA checks who runs where against it).</summary>
    public MeshState State { get; private set; } = MeshState.Empty;

    public AmbientOptions Ambient { get; } = new()
    {
        TrustDomain = options.TrustDomain,
        ClusterId = options.ClusterId,
        RootNamespace = options.RootNamespace,
        DomainSuffix = options.DomainSuffix,
        Nodes = options.NodeList(),
        PodCidrPrefix = options.PodCidrPrefix,
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _publisher = await publisher.GetAsync(cancellationToken);
        _source = new ManifestDirectorySource(options.Manifests!, ManifestSourceOptions.Default,
            loggerFactory.CreateLogger<ManifestDirectorySource>());
        _source.Changed += Apply;
        _source.Start();
        Apply(_source.Current);
    }

    private void Apply(ManifestSnapshot snapshot)
    {
        lock (_gate)
        {
            var state = MeshStateComputer.Compute(snapshot.Set, Ambient);
            if (!state.Warnings.SequenceEqual(_lastWarnings))
                foreach (var warning in state.Warnings) logger.LogWarning("{Warning}", warning);
            _lastWarnings = state.Warnings.ToList();
            State = state;
            _publisher!.Tell(new PublishState(state.Workloads, state.Services, state.Policies));
            localDesired.Update(snapshot.Set, state, Ambient.Nodes, snapshot.Errors.Count);
        }
    }

    public ConfigStatusView Status()
    {
        var snapshot = Current;
        var set = snapshot.Set;
        var objects = new Dictionary<string, int>
        {
            ["Namespace"] = set.Namespaces.Length,
            ["Pod"] = set.Pods.Length,
            ["Deployment"] = set.Deployments.Length,
            ["Service"] = set.Services.Length,
            ["ServiceAccount"] = set.ServiceAccounts.Length,
            ["AuthorizationPolicy"] = set.AuthorizationPolicies.Length,
            ["PeerAuthentication"] = set.PeerAuthentications.Length,
            ["GatewayClass"] = set.GatewayClasses.Length,
            ["Gateway"] = set.Gateways.Length,
            ["HTTPRoute"] = set.HttpRoutes.Length,
        };
        var errors = snapshot.Errors.Select(e => new ManifestErrorView(e.File, e.Document, e.Message)).ToList();
        return new ConfigStatusView(Path.GetFullPath(options.Manifests!), snapshot.Files, objects, errors,
            snapshot.LoadedAt == DateTimeOffset.MinValue ? null : snapshot.LoadedAt, State.Warnings.ToList());
    }

    /// <summary>The latest computed state, for <see cref="AdminRoutes.ConfigState"/>.</summary>
    public ConfigStateView StateView()
    {
        var state = State;
        return new ConfigStateView(Ambient.RootNamespace, Ambient.TrustDomain, state.Workloads, state.Services, state.Policies, state.Warnings);
    }

    /// <summary>Every istio-waypoint Gateway's status, for <see cref="AdminRoutes.Waypoints"/>.</summary>
    public IReadOnlyList<WaypointView> Waypoints() => WaypointStatuses.Compute(Current.Set, Ambient.DomainSuffix);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_source is null) return;
        _source.Changed -= Apply;
        _source.Dispose();
        _source = null;
    }
}
