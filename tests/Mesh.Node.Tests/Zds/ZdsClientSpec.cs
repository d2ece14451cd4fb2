using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Mesh.Hosting.Cluster;
using Mesh.Node.Hosting;
using Mesh.Node.Workloads;
using Mesh.Node.Zds;
using Mesh.Protocol.Zds;
using Mesh.Testing;
using Microsoft.Extensions.Options;

namespace Mesh.Node.Tests.Zds;

/// <summary>
/// The ZDS client against a node agent played by the test on a real Unix socket, with a workload manager that is slow
/// or silent. Before, an Ask timeout while enrolling escaped ExecuteAsync and stopped the ztunnel's host; now it is
/// asked again, then acked with the error, and the client goes on serving.
/// </summary>
public sealed class ZdsClientSpec : IAsyncLifetime
{
    private static readonly TimeSpan EnrollTimeout = TimeSpan.FromMilliseconds(200);
    private readonly ActorSystem _system = ActorSystem.Create("zds-spec");
    private readonly TempDir _dir = new("zds-spec-");
    private readonly ListLogger _log = new();
    private Socket _agent = null!;

    public Task InitializeAsync()
    {
        _agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _agent.Bind(new UnixDomainSocketEndPoint(_dir.File("zds.sock")));
        _agent.Listen(4);
        return Task.CompletedTask;
    }

    /// <summary>Answers a pod's enrolment from the ask the test sets for that pod on (never when absent).</summary>
    private sealed class Manager : ReceiveActor
    {
        private readonly Dictionary<string, int> _asked = [];

        public Manager(IReadOnlyDictionary<string, int> answerFrom) => Receive<EnrollPod>(enroll =>
        {
            var ask = _asked[enroll.Pod.Name] = _asked.GetValueOrDefault(enroll.Pod.Name) + 1;
            if (answerFrom.TryGetValue(enroll.Pod.Name, out var first) && ask >= first)
                Sender.Tell(new PodResult(enroll.Pod.Uid, null));
        });
    }

    private sealed class Required(IActorRef actor) : IRequiredActor<WorkloadManager>
    {
        public IActorRef ActorRef => actor;
        public Task<IActorRef> GetAsync(CancellationToken cancel = default) => Task.FromResult(actor);
    }

    private static string Add(string name) =>
        new ZdsMessage(ZdsMessage.Add, Pod: new ZdsPod($"uid-{name}", "demo", name, "10.0.0.9", "/nonexistent")).ToLine();

    [Fact]
    public async Task A_silent_manager_is_asked_again_then_acked_with_the_error_and_the_client_keeps_serving()
    {
        var answerFrom = new Dictionary<string, int>
        {
            ["fast"] = 1,
            ["slow"] = 2, // busy at the first ask, answers the second
        };
        var manager = _system.ActorOf(Props.Create(() => new Manager(answerFrom)));
        var options = Options.Create(new NodeOptions { ZdsSocket = _dir.File("zds.sock"), EnrollTimeout = EnrollTimeout });
        var client = new ZdsClient(options, new MeshMemberOptions { Name = "node-a" }, new Required(manager), new ListLogger<ZdsClient>(_log));
        await client.StartAsync(default);
        try
        {
            using var session = await _agent.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await using var stream = new NetworkStream(session);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            Assert.Equal(ZdsMessage.Hello, ZdsMessage.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!).Type);

            async Task<ZdsMessage> AckOfAsync(string name)
            {
                await writer.WriteLineAsync(Add(name));
                var ack = ZdsMessage.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!);
                Assert.Equal((ZdsMessage.Ack, $"uid-{name}"), (ack.Type, ack.Uid));
                return ack;
            }

            var silent = await AckOfAsync("silent");
            Assert.Contains($"timed out after {ZdsClient.EnrollAttempts} × 0.2 s", silent.Error);
            Assert.Equal(ZdsClient.EnrollAttempts - 1, _log.Lines.Count(l => l.Contains("enrolling pod demo/silent: no answer within")));

            Assert.Null((await AckOfAsync("slow")).Error);
            Assert.Null((await AckOfAsync("fast")).Error);
            Assert.False(client.ExecuteTask!.IsCompleted, client.ExecuteTask.Exception?.ToString());
        }
        finally
        {
            await client.StopAsync(default);
        }
    }

    public async Task DisposeAsync()
    {
        _agent.Dispose();
        await _system.Terminate();
        _dir.Dispose();
    }
}
