using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Mesh.Hbone.Tls;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Identity;

/// <summary>Timings of certificate fetching; the defaults suit production, tests shorten them.</summary>
public sealed record CertificateTimings(TimeSpan RequestTimeout, TimeSpan FirstRetry, TimeSpan MaxRetry, double RenewJitter)
{
    public static readonly CertificateTimings Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.05);
}

/// <summary>
/// Owns one workload identity on this node: generates a key locally (it never leaves the node), asks a control
/// member's CA to sign a CSR, stores the SVID, renews it at half-life (with jitter so a node's certificates don't
/// all renew at once), and retries with backoff while no CA answers or the CA refuses.
/// </summary>
public sealed class CertificateActor : ReceiveActor, IWithTimers
{
    private const string RequestTimer = "request";
    private readonly SpiffeId _id;
    private readonly string _node;
    private readonly CertificateStore _store;
    private readonly CertificateTimings _timings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ECDsa? _pendingKey;
    private TimeSpan _backoff;
    private int _nextControl;

    public CertificateActor(SpiffeId id, string node, CertificateStore store, CertificateTimings timings)
    {
        _id = id;
        _node = node;
        _store = store;
        _timings = timings;
        _backoff = timings.FirstRetry;

        Receive<Request>(_ => SendRequest());
        Receive<CertificateIssued>(issued => issued.Identity == _id.ToString(), OnIssued);
        Receive<CertificateRefused>(refused => refused.Identity == _id.ToString(), refused =>
        {
            _log.Warning("CA refused certificate for {0}: {1}", _id, refused.Reason);
            RetryLater(refused.Reason);
        });
        Receive<RequestTimedOut>(_ => RetryLater("no CA answered within " + _timings.RequestTimeout.TotalSeconds + " s"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _store.Pending(_id);
        // A certificate restored from the node's cache serves at once; renew it on its usual schedule.
        if (_store.TryGet(_id, out var cached) && cached.NotAfter > DateTimeOffset.UtcNow.AddMinutes(1))
            ScheduleRenewal(cached);
        else
            Self.Tell(Request.Instance);
    }

    protected override void PostStop()
    {
        _pendingKey?.Dispose();
        _store.Remove(_id);
    }

    private void SendRequest()
    {
        var controls = Akka.Cluster.Cluster.Get(Context.System).State.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole("control"))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        if (controls.Count == 0)
        {
            RetryLater("no control member is up");
            return;
        }
        // Rotate over control members so one dead replica never blocks issuance.
        var control = controls[_nextControl++ % controls.Count];
        _pendingKey?.Dispose();
        var (key, csrDer) = CsrBuilder.Create(_id);
        _pendingKey = key;
        var csrPem = PemEncoding.WriteString("CERTIFICATE REQUEST", csrDer);
        Context.ActorSelection(new RootActorPath(control.Address) / "user" / "ca")
            .Tell(new CertificateSigningRequest(_node, _id.ToString(), csrPem), Self);
        Timers.StartSingleTimer(RequestTimer, RequestTimedOut.Instance, _timings.RequestTimeout);
    }

    private void OnIssued(CertificateIssued issued)
    {
        Timers.Cancel(RequestTimer);
        if (_pendingKey is null) return; // a late duplicate answer
        WorkloadCertificate certificate;
        try
        {
            certificate = Build(issued);
        }
        catch (CryptographicException e)
        {
            RetryLater($"unusable certificate from the CA: {e.Message}");
            return;
        }
        _store.Put(certificate);
        _backoff = _timings.FirstRetry;
        ScheduleRenewal(certificate);
    }

    private void ScheduleRenewal(WorkloadCertificate certificate)
    {
        var now = DateTimeOffset.UtcNow;
        var renewAt = certificate.HalfLife(now) + Jitter(certificate.NotAfter - now);
        var delay = renewAt - DateTimeOffset.UtcNow;
        if (delay < TimeSpan.FromSeconds(1)) delay = TimeSpan.FromSeconds(1);
        _log.Info("certificate for {0}: serial {1}, valid {2:u} – {3:u}; renewing in {4:0} s",
            _id, certificate.SerialNumber, certificate.NotBefore, certificate.NotAfter, delay.TotalSeconds);
        Timers.StartSingleTimer(RequestTimer + "-renew", Request.Instance, delay);
    }

    private WorkloadCertificate Build(CertificateIssued issued)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(issued.CertificateChainPem);
        if (certificates.Count == 0) throw new CryptographicException("no certificate in the CA's answer");
        var key = _pendingKey!;
        _pendingKey = null;
        var issuedSvid = new IssuedSvid(certificates[0].RawData, certificates.Skip(1).Select(c => c.RawData).ToList(),
            certificates[0].NotBefore.ToUniversalTime(), certificates[0].NotAfter.ToUniversalTime(), certificates[0].SerialNumber);
        var leaf = issuedSvid.WithPrivateKey(key);
        var bundle = TrustBundle.FromPem(issued.TrustBundlePem);
        var verdict = SvidVerifier.Verify(leaf, certificates.Skip(1).ToList(), bundle, _id.TrustDomain, DateTimeOffset.UtcNow);
        if (!verdict.Valid || verdict.Id != _id)
            throw new CryptographicException($"the CA's certificate does not verify: {verdict.Error ?? $"identity {verdict.Id}"}");
        return new WorkloadCertificate(_id, leaf, certificates.Skip(1).ToList(), bundle);
    }

    private TimeSpan Jitter(TimeSpan lifetime) =>
        TimeSpan.FromTicks((long)(lifetime.Ticks * _timings.RenewJitter * (Random.Shared.NextDouble() * 2 - 1)));

    private void RetryLater(string reason)
    {
        Timers.Cancel(RequestTimer);
        _store.Fail(_id, reason);
        var delay = _backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250));
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _timings.MaxRetry.Ticks));
        Timers.StartSingleTimer(RequestTimer + "-retry", Request.Instance, delay);
    }

    private sealed class Request
    {
        public static readonly Request Instance = new();
    }

    private sealed class RequestTimedOut
    {
        public static readonly RequestTimedOut Instance = new();
    }
}
