using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ca;

/// <summary>
/// The CA as the cluster sees it, at <c>/user/ca</c> on every control member. Signs a workload identity only for
/// an authenticated <c>node</c> member, and only if a pod with that service account is scheduled on the node the
/// request names. Every replica signs with the same root, so losing one replica does not stop issuance.
/// </summary>
public sealed class CaActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <param name="isNodeMember">Whether an address belongs to an Up cluster member with the node role.</param>
    /// <param name="workloads">The control plane's current workloads (who runs where).</param>
    public CaActor(CertificateAuthority ca, Func<Address, bool> isNodeMember, Func<IEnumerable<Workload>> workloads)
    {
        Receive<CertificateSigningRequest>(request =>
        {
            var refusal = Authorize(request, isNodeMember(Sender.Path.Address), workloads(), ca.TrustDomain, out var id);
            if (refusal is not null)
            {
                _log.Warning("refused certificate for {0} requested by {1} (node {2}): {3}", request.Identity, Sender.Path.Address, request.Node, refusal);
                Sender.Tell(new CertificateRefused(request.Identity, refusal));
                return;
            }
            try
            {
                var der = PemEncoding.TryFind(request.CsrPem, out var fields) && request.CsrPem[fields.Label] == "CERTIFICATE REQUEST"
                    ? Convert.FromBase64String(request.CsrPem[fields.Base64Data])
                    : throw new CaException("the CSR is not a PEM 'CERTIFICATE REQUEST'");
                var svid = ca.Issue(der, id!);
                var chain = string.Concat(new[] { svid.CertificateDer }.Concat(svid.ChainDer)
                    .Select(d => PemEncoding.WriteString("CERTIFICATE", d) + "\n"));
                _log.Info("issued certificate for {0} to node {1}: serial {2}, not after {3:u}", id, request.Node, svid.SerialNumber, svid.NotAfter);
                Sender.Tell(new CertificateIssued(request.Identity, chain, ca.Bundle.ToPem()));
            }
            catch (Exception e) when (e is CaException or FormatException or CryptographicException)
            {
                _log.Warning("refused certificate for {0} (node {1}): {2}", request.Identity, request.Node, e.Message);
                Sender.Tell(new CertificateRefused(request.Identity, e.Message));
            }
        });
    }

    /// <summary>The issuance policy, separate from the actor so it is easy to test: null means allowed.</summary>
    public static string? Authorize(CertificateSigningRequest request, bool fromNodeMember, IEnumerable<Workload> workloads,
        string trustDomain, out SpiffeId? id)
    {
        id = null;
        if (!fromNodeMember) return "the requester is not an authenticated node member of the cluster";
        if (!SpiffeId.TryParse(request.Identity, out var parsed, out var error)) return error;
        if (parsed.TrustDomain != trustDomain)
            return $"trust domain '{parsed.TrustDomain}' is not this CA's ('{trustDomain}')";
        var scheduled = workloads.Any(w => w.Node == request.Node && w.Namespace == parsed.Namespace && w.ServiceAccount == parsed.ServiceAccount);
        if (!scheduled)
            return $"no pod with service account {parsed.Namespace}/{parsed.ServiceAccount} is scheduled on node {request.Node}";
        id = parsed;
        return null;
    }

    /// <summary>Membership check against the live cluster state.</summary>
    public static Func<Address, bool> NodeMembersOf(ActorSystem system) => address =>
        Akka.Cluster.Cluster.Get(system).State.Members.Any(m => m.Address == address && m.Status == MemberStatus.Up && m.HasRole("node"));
}
