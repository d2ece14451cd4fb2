using System.Text.Json;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.State;

/// <summary>
/// Keeps the node's last known state on local disk, so a restarted ztunnel serves its pods at once from what it
/// knew — instead of failing connections until it has rejoined the cluster and resubscribed. Loaded state is
/// marked not synced and is refreshed by the normal subscriptions; writes are coalesced and atomic (rename).
/// </summary>
public sealed class NodeStateCache : IDisposable
{
    private sealed record CacheFile(NodeSlice Slice, List<AddressRecord> Addresses);

    private readonly string _path;
    private readonly NodeViewStore _store;
    private readonly Timer _timer;
    private readonly TimeSpan _delay;
    private readonly ILogger _log;
    private int _scheduled;

    public NodeStateCache(string path, NodeViewStore store, TimeSpan delay, ILogger log)
    {
        _path = path;
        _store = store;
        _delay = delay;
        _log = log;
        _timer = new Timer(_ => Write());
    }

    /// <summary>Loads a previous run's state into the store (if any); a damaged file is reported and ignored.</summary>
    public void Load()
    {
        if (!File.Exists(_path)) return;
        try
        {
            var file = JsonSerializer.Deserialize<CacheFile>(File.ReadAllBytes(_path), AdminJson.Options);
            if (file is null || file.Slice.Node != _store.Node) return;
            _store.Restore(file.Slice, file.Addresses);
            _log.LogInformation("restored {Workloads} workloads and {Addresses} addresses from {Path} (stale until resynced)",
                file.Slice.Workloads.Count, file.Addresses.Count, _path);
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            _log.LogWarning("ignoring state cache {Path}: {Error}", _path, e.Message);
        }
    }

    /// <summary>Starts writing the store to disk after each change (at most once per delay).</summary>
    public void Start()
    {
        _store.Changed += _ => Schedule();
        _store.AddressChanged += Schedule;
    }

    private void Schedule()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0) _timer.Change(_delay, Timeout.InfiniteTimeSpan);
    }

    private void Write()
    {
        Interlocked.Exchange(ref _scheduled, 0);
        try
        {
            // In-mesh answers only (negative ones are short-lived), read without marking them used.
            var addresses = _store.KnownAddressRecords();
            var bytes = JsonSerializer.SerializeToUtf8Bytes(new CacheFile(_store.View.Slice, addresses), AdminJson.Options);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            var temp = _path + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e) // a timer callback: anything escaping here would end the process
        {
            _log.LogWarning("cannot write state cache {Path}: {Error}", _path, e.Message);
        }
    }

    public void Dispose() => _timer.Dispose();
}
