using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Hbone.Http2;
using Mesh.Hbone.Tls;
using Microsoft.Extensions.Logging;

namespace Mesh.Hbone.Client;

/// <summary>
/// The HBONE client: pooled mutual-TLS HTTP/2 connections per <see cref="HbonePoolKey"/>, each carrying up to
/// <see cref="HboneOptions.MaxStreamsPerConnection"/> CONNECT streams (fewer if the peer says so). Connection set-up is
/// single-flight per key, so a burst of opens shares one new connection. Connections made with a source certificate
/// that has since rotated, or that got a GOAWAY, drain; idle ones close after <see cref="HboneOptions.IdleTimeout"/>.
/// REFUSED_STREAM / ENHANCE_YOUR_CALM and streams a GOAWAY left unprocessed are retried.
/// </summary>
public sealed partial class HboneClientPool : IHboneConnector, IAsyncDisposable
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(500);

    private readonly HboneOptions _options;
    private readonly IWorkloadCertificates _certificates;
    private readonly IHboneDialer _dialer;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<HbonePoolKey, KeyPool> _pools = new();
    private readonly CancellationTokenSource _disposed = new();
    private long _connectionsOpened;

    /// <param name="options">Pool and HTTP/2 settings.</param>
    /// <param name="certificates">The source identity's current SVID.</param>
    /// <param name="dialer">Makes the TCP connection (the ztunnel: from the source pod's netns).</param>
    /// <param name="logger">Connection-level events.</param>
    public HboneClientPool(HboneOptions options, IWorkloadCertificates certificates, IHboneDialer dialer, ILogger logger)
    {
        _options = options;
        _certificates = certificates;
        _dialer = dialer;
        _logger = logger;
    }

    /// <inheritdoc />
    public async ValueTask<IHboneTunnel> OpenAsync(HboneRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var headers = HboneHeaders.ForConnect(request);
        for (var attempt = 1; ; attempt++)
        {
            WorkloadCertificate certificate;
            try
            {
                certificate = await _certificates.GetAsync(request.Source, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new HboneException($"No certificate for {request.Source}: {e.Message}", inner: e);
            }
            var pooled = await AcquireAsync(request, certificate, cancellationToken);
            Http2Stream stream;
            try
            {
                stream = await pooled.Connection.OpenStreamAsync(headers, reserved: true, cancellationToken);
            }
            catch (Http2StreamException e) when (e.Retryable && attempt < MaxAttempts)
            {
                continue; // the connection started draining between reservation and HEADERS
            }
            catch (Http2StreamException e)
            {
                throw new HboneException($"HBONE connection to {request.HboneEndpoint} failed: {e.Message}", inner: e);
            }

            int status;
            try
            {
                status = await stream.GetStatusAsync(cancellationToken).WaitAsync(_options.ConnectTimeout, cancellationToken);
            }
            catch (Http2StreamException e) when (e.Retryable && attempt < MaxAttempts)
            {
                stream.Abandon();
                if (e.ErrorCode is Http2ErrorCode.RefusedStream or Http2ErrorCode.EnhanceYourCalm)
                    await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }
            catch (Exception e) when (e is Http2StreamException or TimeoutException)
            {
                stream.Abandon();
                throw new HboneException($"HBONE CONNECT to {request.Target} via {request.HboneEndpoint} failed: {e.Message}", inner: e);
            }
            catch
            {
                stream.Abandon();
                throw;
            }
            if (status != 200)
            {
                await CloseRejectedAsync(stream);
                throw new HboneException($"HBONE CONNECT to {request.Target} via {request.HboneEndpoint} answered {status}", status);
            }
            return new HboneTunnel(stream, pooled.Peer);
        }
    }

    /// <summary>What the pool holds right now.</summary>
    public HbonePoolSnapshot Snapshot()
    {
        var keys = new List<HbonePoolKeySnapshot>();
        foreach (var (key, pool) in _pools)
        {
            List<HboneConnectionSnapshot> connections;
            lock (pool.Gate)
            {
                connections = pool.Connections.Select(c => new HboneConnectionSnapshot(
                    c.Id, c.Connection.StreamsInUse, c.Retired || c.Connection.IsDraining, c.CertificateSerial, c.Peer, c.Created)).ToList();
            }
            if (connections.Count > 0)
                keys.Add(new HbonePoolKeySnapshot(key, connections));
        }
        return new HbonePoolSnapshot(keys, Interlocked.Read(ref _connectionsOpened));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        await _disposed.CancelAsync();
        var all = new List<PooledConnection>();
        foreach (var pool in _pools.Values)
        {
            lock (pool.Gate)
                all.AddRange(pool.Connections);
        }
        await Task.WhenAll(all.Select(c => c.Connection.DisposeAsync().AsTask()));
        foreach (var c in all)
            c.Dispose();
    }

    /// <summary>Short, jittered, growing delay before retrying a refused stream.</summary>
    private static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, FirstBackoff.TotalMilliseconds * (1 << (attempt - 1)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }

    /// <summary>
    /// A non-200 answer: end our side cleanly (END_STREAM both ways, not RST — Kestrel's rapid-reset guard counts
    /// resets), or reset if the peer has not ended its side.
    /// </summary>
    private static async ValueTask CloseRejectedAsync(Http2Stream stream)
    {
        if (stream.RemoteEnded)
        {
            try
            {
                await stream.CompleteWritesAsync();
            }
            catch (IOException)
            {
                // Reset or connection gone: Abandon below covers it.
            }
        }
        stream.Abandon();
    }

    /// <summary>Reserves a stream slot on a usable connection of the request's key, connecting (once per key) if needed.</summary>
    private async ValueTask<PooledConnection> AcquireAsync(HboneRequest request, WorkloadCertificate certificate, CancellationToken cancellationToken)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            var pool = _pools.GetOrAdd(request.PoolKey, static key => new KeyPool(key));
            Task<PooledConnection> pending;
            List<PooledConnection>? retired = null;
            lock (pool.Gate)
            {
                if (pool.Removed)
                    continue;
                foreach (var candidate in pool.Connections)
                {
                    if (candidate.Retired)
                        continue;
                    if (candidate.CertificateSerial != certificate.SerialNumber)
                    {
                        // Rotated: new streams go to a connection with the new SVID; this one drains.
                        candidate.Retired = true;
                        (retired ??= []).Add(candidate);
                        continue;
                    }
                    if (candidate.Connection.TryReserveStream())
                    {
                        candidate.MarkBusy();
                        DrainAll(retired);
                        return candidate;
                    }
                }
                if (pool.Pending is not { IsCompleted: false } inFlight || pool.PendingSerial != certificate.SerialNumber)
                {
                    var connecting = Task.Run(() => ConnectAsync(pool, request, certificate), CancellationToken.None);
                    pool.Pending = connecting;
                    pool.PendingSerial = certificate.SerialNumber;
                    pending = connecting;
                }
                else
                {
                    pending = inFlight;
                }
            }
            DrainAll(retired);
            try
            {
                await pending.WaitAsync(cancellationToken);
            }
            catch (HboneException)
            {
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new HboneException($"HBONE connection to {request.HboneEndpoint} failed: {e.Message}", inner: e);
            }
        }
    }

    private static void DrainAll(List<PooledConnection>? connections)
    {
        foreach (var connection in connections ?? [])
            connection.Connection.Drain();
    }

    /// <summary>TCP connect (the dialer), TLS 1.3 with SVIDs, HTTP/2 preface and the peer's SETTINGS.</summary>
    private async Task<PooledConnection> ConnectAsync(KeyPool pool, HboneRequest request, WorkloadCertificate certificate)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        Socket? socket = null;
        SslStream? tls = null;
        Http2Connection? connection = null;
        try
        {
            socket = await _dialer.DialAsync(request, timeout.Token);
            socket.NoDelay = true;
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(HboneTls.Client(certificate, request.Destination), timeout.Token);
            var peer = HboneTls.PeerIdentity(tls);
            connection = new Http2Connection(tls, Http2ConnectionOptions.ForHbone(_options, isServer: false), _logger);
            await connection.StartAsync(timeout.Token);

            var pooled = new PooledConnection(this, pool, connection, Interlocked.Increment(ref _connectionsOpened),
                certificate.SerialNumber, peer);
            lock (pool.Gate)
                pool.Connections.Add(pooled);
            _logger.LogDebug("HBONE connection {Id} to {Key} established", pooled.Id, pool.Key);
            _ = connection.Completion.ContinueWith(static (_, s) => ((PooledConnection)s!).OnClosed(), pooled,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return pooled;
        }
        catch (Exception e)
        {
            if (connection is not null)
                await connection.DisposeAsync();
            else if (tls is not null)
                await tls.DisposeAsync();
            else
                socket?.Dispose();
            _logger.LogDebug(e, "HBONE connection to {Key} failed", pool.Key);
            var reason = e switch
            {
                OperationCanceledException when !_disposed.IsCancellationRequested => $"timed out after {_options.ConnectTimeout}",
                AuthenticationException => $"TLS handshake failed: {e.Message}",
                _ => e.Message,
            };
            throw new HboneException($"HBONE connection to {request.HboneEndpoint} ({request.Destination}) failed: {reason}", inner: e);
        }
    }

    private void Forget(KeyPool pool)
    {
        lock (pool.Gate)
        {
            if (pool.Connections.Count > 0 || pool.Pending is { IsCompleted: false })
                return;
            pool.Removed = true;
        }
        _pools.TryRemove(new KeyValuePair<HbonePoolKey, KeyPool>(pool.Key, pool));
    }
}
