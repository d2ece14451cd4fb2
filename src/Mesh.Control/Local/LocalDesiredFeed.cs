using System.Text.Json;
using Mesh.Control.Ambient;
using Mesh.Control.Config;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Local;

namespace Mesh.Control.Local;

/// <summary>
/// The latest <see cref="LocalDesiredState"/> and a change notification for watchers. The generation grows only when
/// the content changes, so a manifest save that changes nothing the supervisor cares about wakes nobody.
/// </summary>
public sealed class LocalDesiredFeed(ILogger<LocalDesiredFeed>? logger = null)
{
    private readonly object _gate = new();
    private string _contentJson = "";
    private IReadOnlyList<string> _lastWarnings = [];

    public LocalDesiredState Current { get; private set; } = new(0, [], [], [], 0);

    /// <summary>Raised (outside the lock) with the new state after every content change.</summary>
    public event Action<LocalDesiredState>? Changed;

    public void Update(ManifestSet manifests, MeshState state, IReadOnlyList<string> nodes, int manifestErrors)
    {
        var (content, warnings) = LocalDesiredBuilder.Build(manifests, state, nodes, manifestErrors);
        LocalDesiredState? changed = null;
        lock (_gate)
        {
            if (!warnings.SequenceEqual(_lastWarnings))
                foreach (var warning in warnings) logger?.LogWarning("{Warning}", warning);
            _lastWarnings = warnings;

            // Records holding lists compare by reference, so compare the serialized content instead.
            var json = JsonSerializer.Serialize(content, AdminJson.Options);
            if (json == _contentJson) return;
            _contentJson = json;
            changed = Current = content with { Generation = Current.Generation + 1 };
        }
        Changed?.Invoke(changed);
    }
}
