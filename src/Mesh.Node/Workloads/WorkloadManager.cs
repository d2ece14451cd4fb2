using Akka.Actor;
using Akka.Event;
using Mesh.Protocol.Zds;

namespace Mesh.Node.Workloads;

/// <summary>Node agent → ztunnel: serve this pod (open its capture listeners).</summary>
public sealed record EnrollPod(ZdsPod Pod);

/// <summary>Node agent → ztunnel: stop serving this pod.</summary>
public sealed record UnenrollPod(string Uid);

/// <summary>After a ZDS snapshot: pods not listed are gone (the agent restarted, or we reconnected).</summary>
public sealed record RetainPods(IReadOnlySet<string> Uids);

/// <summary>Answer to enroll/unenroll; Error is null on success. Sent back to the agent as the ZDS ack.</summary>
public sealed record PodResult(string Uid, string? Error);

/// <summary>Asks for the pods being captured (admin view).</summary>
public sealed record GetCapturedPods
{
    public static readonly GetCapturedPods Instance = new();
}

/// <summary>
/// Owns the lifecycle of every captured pod on this node: one <see cref="CapturedPod"/> per enrolled pod, created
/// and disposed here and nowhere else, so enroll/unenroll/retain never race.
/// </summary>
public sealed class WorkloadManager : ReceiveActor
{
    private readonly Dictionary<string, CapturedPod> _pods = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public WorkloadManager(PodDataPlane plane)
    {
        ReceiveAsync<EnrollPod>(async enroll =>
        {
            var pod = enroll.Pod;
            if (_pods.TryGetValue(pod.Uid, out var existing))
            {
                if (existing.Pod == pod)
                {
                    Sender.Tell(new PodResult(pod.Uid, null));
                    return;
                }
                await StopAsync(pod.Uid); // same pod, new sandbox (netns or IP changed): start over
            }

            var captured = new CapturedPod(pod, plane);
            try
            {
                await captured.StartAsync();
                _pods[pod.Uid] = captured;
                Sender.Tell(new PodResult(pod.Uid, null));
            }
            catch (Exception e)
            {
                await captured.DisposeAsync();
                _log.Warning("cannot capture pod {0}/{1} ({2}): {3}", pod.Namespace, pod.Name, pod.Netns, e.Message);
                Sender.Tell(new PodResult(pod.Uid, e.Message));
            }
        });
        ReceiveAsync<UnenrollPod>(async unenroll =>
        {
            await StopAsync(unenroll.Uid);
            Sender.Tell(new PodResult(unenroll.Uid, null));
        });
        ReceiveAsync<RetainPods>(async retain =>
        {
            foreach (var uid in _pods.Keys.Where(u => !retain.Uids.Contains(u)).ToList())
                await StopAsync(uid);
        });
        Receive<GetCapturedPods>(_ => Sender.Tell(_pods.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList()));
    }

    private async Task StopAsync(string uid)
    {
        if (_pods.Remove(uid, out var pod)) await pod.DisposeAsync();
    }

    protected override void PostStop()
    {
        foreach (var pod in _pods.Values) pod.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        _pods.Clear();
    }
}
