using System.Diagnostics;
using Mesh.Node.State;
using Mesh.Protocol.Authz;

namespace Mesh.Node.Authz;

/// <summary>
/// Re-checks every open inbound connection whenever the node view changes (policies, or a destination's policy list)
/// and closes those the new state denies — better than Istio's ztunnel, which only checks at accept (ztunnel#311).
/// Runs on the thread pool, never on the data path and never on the state actor: a change only sets a flag and
/// starts one pass if none runs; a change arriving during a pass causes one more pass with the newest view.
/// </summary>
public sealed class PolicyReevaluator : IDisposable
{
    private readonly NodeViewStore _store;
    private readonly InboundAuthorizer _authorizer;
    private readonly InboundConnections _connections;
    private readonly ILogger _log;
    private int _pending, _running;
    private long _changedAt, _closed, _passes;

    public PolicyReevaluator(NodeViewStore store, InboundAuthorizer authorizer, InboundConnections connections, ILogger log)
    {
        _store = store;
        _authorizer = authorizer;
        _connections = connections;
        _log = log;
        _store.Changed += OnChanged;
    }

    /// <summary>Connections closed because the state changed to deny them.</summary>
    public long Closed => Interlocked.Read(ref _closed);

    /// <summary>Completed re-check passes.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Raised after each pass: (view version, connections checked, closed, time from the change to the end of the pass).</summary>
    public event Action<PassResult>? PassCompleted;

    private void OnChanged(NodeView view) => Request();

    /// <summary>Asks for a pass over every open connection (coalesced with any pending one).</summary>
    public void Request()
    {
        Interlocked.CompareExchange(ref _changedAt, Stopwatch.GetTimestamp(), 0);
        Volatile.Write(ref _pending, 1);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.Run(), this, preferLocal: false);
    }

    private void Run()
    {
        while (true)
        {
            while (Interlocked.Exchange(ref _pending, 0) == 1)
            {
                var changedAt = Interlocked.Exchange(ref _changedAt, 0);
                try { Pass(changedAt == 0 ? Stopwatch.GetTimestamp() : changedAt); }
                catch (Exception e) { _log.LogError(e, "policy re-check failed"); }
            }
            Volatile.Write(ref _running, 0);
            // A change that arrived after the last Exchange but saw _running == 1 is ours to run.
            if (Volatile.Read(ref _pending) == 0 || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
        }
    }

    private void Pass(long changedAt)
    {
        var snapshot = _authorizer.Current;
        int checkedCount = 0, closed = 0;
        foreach (var connection in _connections.All)
        {
            if (connection.ClosedBy is not null) continue;
            checkedCount++;
            var destination = snapshot.Refresh(connection.Destination);
            connection.Destination = destination;
            var decision = snapshot.Evaluate(connection.Request, destination);
            if (!decision.IsAllowed)
            {
                if (!connection.TryClose(decision.ToString())) continue;
                closed++;
                Interlocked.Increment(ref _closed);
                var request = connection.Request;
                _log.LogInformation(
                    "policy re-check closed connection pod={Pod} src={Src} src.identity={Identity} dst={Dst}: {Decision} policy={Policy} rule={Rule} (state version {Version}, {Elapsed} ms after the change)",
                    connection.Pod, request.SourceIp, DecisionLog.Source(request), DecisionLog.Destination(request),
                    decision.Enforced.Describe(), DecisionLog.PolicyOf(decision.Enforced), DecisionLog.RuleOf(decision.Enforced),
                    snapshot.View.Version, (long)Stopwatch.GetElapsedTime(changedAt).TotalMilliseconds);
            }
            else if (DecisionLog.DryRunChange(decision) is { IsAllowed: false } shadow && !connection.DryRunReported)
            {
                connection.DryRunReported = true;
                var request = connection.Request;
                _log.LogInformation("dry-run: would close connection pod={Pod} src={Src} src.identity={Identity} dst={Dst}: {Decision} policy={Policy} rule={Rule}",
                    connection.Pod, request.SourceIp, DecisionLog.Source(request), DecisionLog.Destination(request),
                    shadow.Describe(), DecisionLog.PolicyOf(shadow), DecisionLog.RuleOf(shadow));
            }
        }
        Interlocked.Increment(ref _passes);
        var elapsed = Stopwatch.GetElapsedTime(changedAt);
        if (closed > 0 || _log.IsEnabled(LogLevel.Debug))
            _log.LogInformation("policy re-check of {Checked} inbound connections at state version {Version}: {Closed} closed in {Elapsed:0.0} ms",
                checkedCount, snapshot.View.Version, closed, elapsed.TotalMilliseconds);
        PassCompleted?.Invoke(new PassResult(snapshot.View.Version, checkedCount, closed, elapsed));
    }

    public void Dispose() => _store.Changed -= OnChanged;

    /// <summary>What one pass did.</summary>
    public readonly record struct PassResult(long Version, int Checked, int Closed, TimeSpan SinceChange);
}
