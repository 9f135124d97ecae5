//! The operations of the deployed WSDL that edigrid does not serve (yet), each with the
//! reason. They get the "not supported by this server" client fault and are listed so in the
//! README's coverage table. When an area serves one, its line moves from here to that area's
//! registrations (a unit test fails if an operation is in both, or in neither).

/// The feature needs something outside edigrid.
const OUTSIDE: &str = "needs the outside world (communications / certificates / S3 / migration / SMS) that edigrid does not have";

/// `(operation, reason)`, in WSDL order.
pub(crate) const REFUSED: &[(&str, &str)] = &[
    ("X400Format", OUTSIDE),
    ("CommAdd", OUTSIDE),
    ("CommSetPair", OUTSIDE),
    ("CommPair", OUTSIDE),
    ("CommUpdate", OUTSIDE),
    ("CommList", OUTSIDE),
    ("CommListEx", OUTSIDE),
    ("CommFind", OUTSIDE),
    ("CommInfo", OUTSIDE),
    ("CommSetStatus", OUTSIDE),
    ("CertificateAddPublic", OUTSIDE),
    ("CertificateAddPublicA", OUTSIDE),
    ("CertAddPrivate", OUTSIDE),
    ("CertAddPrivateA", OUTSIDE),
    ("CertificateCreatePrivate", OUTSIDE),
    ("CertificateRenewPrivate", OUTSIDE),
    ("CertificateTerminate", OUTSIDE),
    ("CommDefaultMailbox", OUTSIDE),
    ("MigrationAdd", OUTSIDE),
    ("MigrationAddEx", OUTSIDE),
    ("MigrationList", OUTSIDE),
    ("MigrationListEx", OUTSIDE),
    ("MigrationInfo", OUTSIDE),
    ("MigrationAddTP", OUTSIDE),
    ("ParcelDownloadS3", OUTSIDE),
    ("UserSendSMS", OUTSIDE),
];
