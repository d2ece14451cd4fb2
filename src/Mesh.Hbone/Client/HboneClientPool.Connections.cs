using Mesh.Hbone.Http2;
using Microsoft.Extensions.Logging;
using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Client;

public sealed partial class HboneClientPool
{
    /// <summary>The connections of one key and its single in-flight connection attempt; guarded by <see cref="Gate"/>.</summary>
    private sealed class KeyPool(HbonePoolKey key)
    {
        public readonly Lock Gate = new();
        public readonly HbonePoolKey Key = key;
        public readonly List<PooledConnection> Connections = [];
        public Task<PooledConnection>? Pending;
        public string? PendingSerial;
        public bool Removed; // taken out of the dictionary: callers must look the key up again
    }

    /// <summary>A pooled connection with its idle timer.</summary>
    private sealed class PooledConnection : IDisposable
    {
        private readonly HboneClientPool _owner;
        private readonly KeyPool _pool;
        private readonly Timer _idle;

        public PooledConnection(HboneClientPool owner, KeyPool pool, Http2Connection connection, long id, string serial, SpiffeId peer)
        {
            _owner = owner;
            _pool = pool;
            Connection = connection;
            Id = id;
            CertificateSerial = serial;
            Peer = peer;
            _idle = new Timer(static s => ((PooledConnection)s!).OnIdleTimerSafe(), this, Timeout.Infinite, Timeout.Infinite);
            connection.StreamClosed += OnStreamClosed;
            // A fresh connection the opener then abandons must still be released.
            ArmIdleTimer();
        }

        public Http2Connection Connection { get; }
        public long Id { get; }
        public string CertificateSerial { get; }
        public SpiffeId Peer { get; }
        public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;

        /// <summary>Replaced after a certificate rotation; guarded by the key's gate.</summary>
        public bool Retired { get; set; }

        public void MarkBusy() => _idle.Change(Timeout.Infinite, Timeout.Infinite);

        private void OnStreamClosed(Http2Connection connection)
        {
            if (connection.StreamsInUse == 0)
                ArmIdleTimer();
        }

        private void ArmIdleTimer()
        {
            try
            {
                _idle.Change(_owner._options.IdleTimeout, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Closed meanwhile.
            }
        }

        // A timer callback: anything escaping would end the process.
        private void OnIdleTimerSafe()
        {
            try { OnIdleTimer(); }
            catch (Exception e) { _owner._logger.LogWarning(e, "HBONE idle release of a connection to {Peer} failed", Peer); }
        }

        private void OnIdleTimer()
        {
            lock (_pool.Gate)
            {
                // Reservations happen under this gate too, so nobody can claim the connection after this check.
                if (Connection.StreamsInUse > 0)
                    return;
                Retired = true;
            }
            Connection.Drain();
        }

        public void OnClosed()
        {
            lock (_pool.Gate)
                _pool.Connections.Remove(this);
            Dispose();
            _owner.Forget(_pool);
        }

        public void Dispose()
        {
            Connection.StreamClosed -= OnStreamClosed;
            _idle.Dispose();
        }
    }
}
