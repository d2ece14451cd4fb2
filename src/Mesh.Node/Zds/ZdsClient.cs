using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Mesh.Hosting.Cluster;
using Mesh.Node.Hosting;
using Mesh.Node.Workloads;
using Mesh.Protocol.Zds;
using Microsoft.Extensions.Options;

namespace Mesh.Node.Zds;

/// <summary>
/// The ztunnel end of ZDS: connects to the node agent's Unix socket, says which node it serves, and turns the
/// agent's add/del messages into enroll/unenroll requests for the <see cref="WorkloadManager"/>, acking each one
/// once its listeners exist (or with the reason they don't). Reconnects with backoff; after each (re)connect the
/// agent's snapshot is authoritative and pods it no longer lists are released. Nothing that goes wrong here stops the
/// host: a slow enrolment is asked again (enrolling is idempotent) and, after <see cref="EnrollAttempts"/>, acked with
/// the error, so the agent knows the pod is not captured (whether it sends the pod again is the agent's choice); any
/// other failure ends the session, is logged, and the client reconnects.
/// </summary>
public sealed class ZdsClient(
    IOptions<NodeOptions> nodeOptions,
    MeshMemberOptions member,
    IRequiredActor<WorkloadManager> manager,
    ILogger<ZdsClient> log) : BackgroundService
{
    /// <summary>How many times one add/del is asked of the workload manager before it is acked with an error.</summary>
    public const int EnrollAttempts = 3;

    private NodeOptions Options => nodeOptions.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = Options;
        if (string.IsNullOrWhiteSpace(options.ZdsSocket))
        {
            log.LogInformation("no ZDS socket configured (Mesh:Node:ZdsSocket): no pods will be captured on this node");
            return;
        }
        var workloads = await manager.GetAsync(stoppingToken);
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(workloads, stoppingToken);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or FormatException)
            {
                log.LogWarning("ZDS connection to {Socket} lost or refused ({Error}); retrying in {Backoff} ms",
                    options.ZdsSocket, e.Message, (int)backoff.TotalMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Never let the background service die (it would stop the ztunnel): log, back off, reconnect.
                log.LogError(e, "ZDS session with {Socket} failed; reconnecting in {Backoff} ms", options.ZdsSocket, (int)backoff.TotalMilliseconds);
            }
            await Task.Delay(backoff, stoppingToken);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
        }
    }

    private async Task RunSessionAsync(IActorRef workloads, CancellationToken ct)
    {
        var options = Options;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(options.ZdsSocket!), ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        await writer.WriteLineAsync(new ZdsMessage(ZdsMessage.Hello, Node: member.Name).ToLine().AsMemory(), ct);
        log.LogInformation("connected to node agent at {Socket} as node {Node}", options.ZdsSocket, member.Name);

        var snapshot = new HashSet<string>(StringComparer.Ordinal);
        var inSnapshot = true;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            ZdsMessage message;
            try { message = ZdsMessage.Parse(line); }
            catch (FormatException e)
            {
                log.LogWarning("ignoring ZDS line: {Error}", e.Message);
                continue;
            }

            PodResult? result = null;
            switch (message.Type)
            {
                case ZdsMessage.Add when message.Pod is { } pod:
                    if (inSnapshot) snapshot.Add(pod.Uid);
                    result = await AskAsync(workloads, new EnrollPod(pod), pod.Uid, $"enrolling pod {pod.Namespace}/{pod.Name}", ct);
                    break;
                case ZdsMessage.Del when message.Uid is { } uid:
                    result = await AskAsync(workloads, new UnenrollPod(uid), uid, $"releasing pod {uid}", ct);
                    break;
                case ZdsMessage.SnapshotSent:
                    inSnapshot = false;
                    workloads.Tell(new RetainPods(snapshot));
                    break;
                default:
                    log.LogWarning("ignoring ZDS message of type '{Type}'", message.Type);
                    break;
            }
            if (result is not null)
                await writer.WriteLineAsync(new ZdsMessage(ZdsMessage.Ack, Uid: result.Uid, Error: result.Error).ToLine().AsMemory(), ct);
        }
        throw new IOException("node agent closed the ZDS connection");
    }

    /// <summary>
    /// Asks the workload manager, again when it does not answer in time (add and del are idempotent), and answers with
    /// an error result after <see cref="EnrollAttempts"/> — never throws for a slow manager.
    /// </summary>
    private async Task<PodResult> AskAsync(IActorRef workloads, object message, string uid, string what, CancellationToken ct)
    {
        var timeout = Options.EnrollTimeout;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await workloads.Ask<PodResult>(message, timeout, ct);
            }
            catch (AskTimeoutException) when (attempt < EnrollAttempts)
            {
                log.LogWarning("{What}: no answer within {Timeout} s (attempt {Attempt} of {Attempts}); asking again",
                    what, timeout.TotalSeconds, attempt, EnrollAttempts);
            }
            catch (AskTimeoutException)
            {
                log.LogError("{What}: no answer after {Attempts} attempts of {Timeout} s; acking the node agent with the error",
                    what, EnrollAttempts, timeout.TotalSeconds);
                return new PodResult(uid, $"{what} timed out after {EnrollAttempts} × {timeout.TotalSeconds:0.#} s");
            }
        }
    }
}
