using System.Net;
using Mesh.Hbone.Http2;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging;

namespace Mesh.Hbone.Server;

public sealed partial class HboneServer
{
    /// <summary>One HTTP/2 connection of an authenticated peer and its CONNECT streams.</summary>
    private sealed class ServerConnection(HboneServer server, SpiffeId peer, IPEndPoint remote, IPEndPoint local)
    {
        private int _running; // handlers still working, reset streams included

        public Http2Connection Http2 { get; set; } = null!;

        /// <summary>On the reading thread: bound the work, then hand the stream to the thread pool.</summary>
        public bool OnRequest(Http2Stream stream, IReadOnlyList<HeaderField> headers)
        {
            // A client that resets streams as fast as it opens them (rapid reset) must not pile up handler work:
            // streams whose handler still runs count against the limit even after the client reset them.
            if (Interlocked.Increment(ref _running) > server._options.MaxStreamsPerConnection)
            {
                Interlocked.Decrement(ref _running);
                return false;
            }
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Connection.HandleAsync(s.Stream, s.Headers),
                (Connection: this, Stream: stream, Headers: headers), preferLocal: false);
            return true;
        }

        private async Task HandleAsync(Http2Stream stream, IReadOnlyList<HeaderField> headers)
        {
            HboneInboundStream? inbound = null;
            try
            {
                if (HboneHeaders.ValidateConnect(headers, out var target, out var forwardedFor) is { } invalid)
                {
                    server._logger.LogDebug("HBONE request from {Peer} rejected: {Reason}", peer, invalid);
                    inbound = new HboneInboundStream(stream, peer, new IPEndPoint(IPAddress.Any, 0), remote, local, null, headers);
                    await inbound.RejectAsync(400);
                    return;
                }
                inbound = new HboneInboundStream(stream, peer, target!, remote, local, forwardedFor, headers);
                await server._handler.ServeAsync(inbound);
                if (!inbound.Answered)
                {
                    server._logger.LogWarning("HBONE handler returned without answering {Target} from {Peer}", target, peer);
                    await inbound.RejectAsync(503);
                }
            }
            catch (Exception e)
            {
                server._logger.LogWarning(e, "HBONE handler failed for stream {Stream} from {Peer}", stream.Id, peer);
                if (inbound is { Answered: false })
                    await inbound.RejectAsync(503);
                else
                    stream.Abandon();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
