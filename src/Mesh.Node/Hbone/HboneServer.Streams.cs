using System.Net;
using Mesh.Node.Hbone.Http2;
using Mesh.Node.Proxy;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Hbone;

public sealed partial class HboneServer
{
    private static readonly HeaderField[] Ok = [new(":status", "200")];

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
            try
            {
                if (HboneHeaders.ValidateConnect(headers, out var target, out var forwardedFor) is { } invalid)
                {
                    server._logger.LogDebug("HBONE request from {Peer} rejected: {Reason}", peer, invalid);
                    await RejectAsync(stream, 400);
                    return;
                }
                var request = new HboneInboundRequest(peer, target!, remote, local, forwardedFor, headers);
                HboneAdmission admission;
                try
                {
                    admission = await server._handler.AdmitAsync(request, stream.Aborted);
                }
                catch (Exception e)
                {
                    server._logger.LogWarning(e, "HBONE handler failed for {Target} from {Peer}", target, peer);
                    admission = HboneAdmission.Unavailable($"handler failed: {e.Message}");
                }

                if (admission.Status != 200 || admission.App is null)
                {
                    admission.App?.Dispose();
                    if (admission.Status == 200)
                        admission = HboneAdmission.Unavailable("handler accepted without an app socket");
                    await RejectAsync(stream, admission.Status);
                    Completed(request, admission, null);
                    return;
                }

                RelayResult result;
                try
                {
                    await stream.SendHeadersAsync(Ok, endStream: false);
                    result = await stream.RelayAsync(admission.App, tunnelIsDownstream: true, server._stopped.Token);
                }
                catch (IOException e)
                {
                    // The client went away before the 200 left.
                    admission.App.Dispose();
                    stream.Abandon();
                    result = new RelayResult(0, 0, TimeSpan.Zero, RelaySide.None, RelayOutcome.Failed, RelaySide.Downstream, e);
                }
                Completed(request, admission, result);
            }
            catch (Exception e)
            {
                server._logger.LogError(e, "HBONE stream {Stream} from {Peer} failed", stream.Id, peer);
                stream.Abandon();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        /// <summary>Status with END_STREAM; whatever the client sends is dropped (it closes its side on seeing the status).</summary>
        private static async Task RejectAsync(Http2Stream stream, int status)
        {
            stream.DiscardInbound();
            try
            {
                await stream.SendHeadersAsync([new(":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture))], endStream: true);
            }
            catch (IOException)
            {
                // Reset by the client or connection gone: nobody is waiting for the answer.
            }
        }

        private void Completed(HboneInboundRequest request, HboneAdmission admission, RelayResult? result)
        {
            try
            {
                server._handler.Completed(request, admission, result);
            }
            catch (Exception e)
            {
                server._logger.LogWarning(e, "HBONE handler's Completed threw for {Target}", request.Target);
            }
        }
    }
}
