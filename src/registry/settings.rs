//! LG5xx: repository and organisation settings, access and drift (`livegate audit`).

use super::Severity;

meta!(
    VISIBILITY_NOT_ALLOWED,
    "LG501",
    "visibility-not-allowed",
    Severity::Error,
    "The repository's visibility is not one the policy allows for it",
    "The repository is public (or internal) where `[settings] visibility` or a matching \
     `[[settings.visibility-rules]]` entry (by name glob, topic or custom property) allows only stricter \
     visibilities.",
    "A repository turned public exposes everything in it, history included; the ICO case went unnoticed for \
     two months.",
    "classification=sensitive requires private or internal; acme/complaints is public",
    "Settings → General → Danger Zone → Change visibility (PATCH /repos/{owner}/{repo} {\"visibility\": \
     \"private\"}); then check who saw what while it was public."
);

meta!(
    FORKING_ALLOWED,
    "LG502",
    "private-forking-allowed",
    Severity::Warning,
    "Forking of a private repository is allowed",
    "A private or internal repository has `allow_forking` on while the policy sets `allow-forking = false`.",
    "Forks of private code live outside the repository's access control.",
    "acme/payments (private): allow_forking true",
    "Settings → General → Features → uncheck Allow forking (PATCH /repos/{owner}/{repo} {\"allow_forking\": \
     false}), or disallow it for the organisation."
);

meta!(
    TOO_MANY_ADMINS,
    "LG503",
    "too-many-admins",
    Severity::Warning,
    "More repository administrators than the policy allows",
    "Direct collaborators with the admin role plus teams with admin permission exceed `max-admins`.",
    "Every admin can disable protection, change visibility and add people.",
    "max-admins = 3; 4 users and 1 team are admins",
    "Settings → Collaborators and teams → lower roles to maintain or write."
);

meta!(
    OUTSIDE_COLLABORATOR_ACCESS,
    "LG504",
    "outside-collaborator-access",
    Severity::Error,
    "An outside collaborator has more access than the policy allows",
    "An outside collaborator's highest role exceeds `outside-collaborators-max`.",
    "People outside the organisation are outside its offboarding, 2FA and review of access.",
    "outside-collaborators-max = \"read\"; @contractor has write",
    "Settings → Collaborators and teams → change the role, or remove the collaborator."
);

meta!(
    TEAM_PERMISSION_TOO_HIGH,
    "LG505",
    "team-permission-too-high",
    Severity::Warning,
    "A team has more access to a repository than the policy allows",
    "A team's permission on the repository exceeds `team-permission-max`, and the team is not listed in \
     `[settings.team-permission-exceptions]` with at least that permission.",
    "A team grant reaches every current and future member of the team: one membership change quietly \
     widens who can administer or push.",
    "team-permission-max = \"write\"; team `everyone` has admin on acme/complaints",
    "Settings → Collaborators and teams → lower the team's role (PUT \
     /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo} {\"permission\": \"push\"}), or list the team under \
     [settings.team-permission-exceptions]."
);

meta!(
    DEPLOY_KEY_WRITE,
    "LG506",
    "deploy-key-write",
    Severity::Warning,
    "A deploy key can push",
    "A deploy key without `read_only`. Deploy keys bypass user accounts, 2FA and review.",
    "A key that can push is a credential that writes code outside every review gate.",
    "deploy key \"ci-box\" (id 42) read_only false",
    "Settings → Deploy keys → delete it and add it again without \"Allow write access\"."
);

meta!(
    WEBHOOK_INSECURE,
    "LG507",
    "webhook-insecure",
    Severity::Error,
    "A webhook sends payloads insecurely",
    "A webhook with SSL verification off (`insecure_ssl = 1`), a plain http:// URL, or no secret (payloads \
     cannot be authenticated).",
    "Webhook payloads carry code, issues and secrets' metadata; unverified delivery can be read or forged.",
    "hook 7: http://hooks.example.net/ci, insecure_ssl 1, no secret",
    "Settings → Webhooks → edit: an https:// URL, SSL verification on, a secret."
);

meta!(
    WORKFLOW_TOKEN_WRITE,
    "LG508",
    "workflow-token-write",
    Severity::Error,
    "GITHUB_TOKEN gets write permissions by default",
    "`default_workflow_permissions` is `write` where the policy asks for `read`.",
    "Every workflow, including ones added by a pull request that merges, can then push and change settings.",
    "acme/api: default_workflow_permissions write",
    "Settings → Actions → General → Workflow permissions → Read repository contents (PUT \
     /repos/{owner}/{repo}/actions/permissions/workflow {\"default_workflow_permissions\": \"read\"})."
);

meta!(
    ACTIONS_CAN_APPROVE,
    "LG509",
    "actions-can-approve-pull-requests",
    Severity::Error,
    "GitHub Actions may approve pull requests",
    "`can_approve_pull_request_reviews` is on: a workflow can approve a pull request, which counts as a \
     review.",
    "A workflow approval is a review nobody made: a bypass of required reviews.",
    "acme/api: can_approve_pull_request_reviews true",
    "Settings → Actions → General → uncheck Allow GitHub Actions to create and approve pull requests."
);

meta!(
    SECRET_SCANNING_OFF,
    "LG510",
    "secret-scanning-off",
    Severity::Warning,
    "Secret scanning or push protection is off",
    "`security_and_analysis.secret_scanning` or `secret_scanning_push_protection` is disabled where the \
     policy requires it.",
    "Leaked credentials stay usable until someone notices them.",
    "acme/api: secret_scanning disabled",
    "Settings → Code security → Secret scanning → Enable (and Push protection)."
);

meta!(
    DEPENDABOT_ALERTS_OFF,
    "LG512",
    "dependabot-alerts-off",
    Severity::Warning,
    "Dependabot alerts are off",
    "Vulnerability alerts are disabled where `require-dependabot-alerts` is on.",
    "Known-vulnerable dependencies go unreported.",
    "GET /repos/acme/api/vulnerability-alerts: 404 (disabled)",
    "Settings → Code security → Dependabot alerts → Enable (PUT /repos/{owner}/{repo}/vulnerability-alerts)."
);

meta!(
    CODEOWNERS_PROBLEM,
    "LG513",
    "codeowners-missing-or-invalid",
    Severity::Warning,
    "CODEOWNERS is missing or has errors",
    "`require-codeowners` is on and the repository has no CODEOWNERS, or GitHub reports errors in it.",
    "Code-owner review protects nothing without owners.",
    "acme/api: no CODEOWNERS in .github/, the root or docs/",
    "Add .github/CODEOWNERS (or fix the lines GitHub reports under GET /repos/{owner}/{repo}/codeowners/errors)."
);

meta!(
    ORG_TWO_FACTOR_OFF,
    "LG520",
    "org-two-factor-not-required",
    Severity::Error,
    "The organisation does not require two-factor authentication",
    "`two_factor_requirement_enabled` is false where `require-two-factor` is on.",
    "One phished password is then enough to push code.",
    "acme: two_factor_requirement_enabled false",
    "Organisation settings → Authentication security → Require two-factor authentication."
);

meta!(
    ORG_BASE_PERMISSION,
    "LG521",
    "org-base-permission-too-high",
    Severity::Error,
    "Every organisation member gets more than the policy's base permission",
    "`default_repository_permission` exceeds `base-permission-max`.",
    "A base permission applies to every member on every repository: an access change for a few becomes \
     access for all.",
    "acme: default_repository_permission write; base-permission-max read",
    "Organisation settings → Member privileges → Base permissions."
);

meta!(
    ORG_PUBLIC_REPO_CREATION,
    "LG522",
    "org-members-can-create-public-repos",
    Severity::Warning,
    "Members can create public repositories",
    "`members_can_create_public_repositories` is true where the policy forbids it.",
    "Code turned public by accident is code published.",
    "acme: members_can_create_public_repositories true",
    "Organisation settings → Member privileges → Repository creation → uncheck Public."
);

meta!(
    ORG_TOO_MANY_ADMINS,
    "LG523",
    "org-too-many-owners",
    Severity::Warning,
    "More organisation owners than the policy allows",
    "Members with the admin (owner) role exceed `max-org-admins`.",
    "Owners can change every setting of every repository.",
    "max-org-admins = 3; 6 owners",
    "Organisation → People → change role to Member."
);

meta!(
    SETTING_LOOSENED,
    "LG580",
    "setting-loosened",
    Severity::Error,
    "A setting became less safe since the previous snapshot",
    "Compared with `--baseline`: a repository turned public or internal, a new admin, a new outside \
     collaborator with write, a deploy key gained write, a webhook lost its secret or SSL check, GITHUB_TOKEN \
     became write, Actions may now approve, secret scanning or Dependabot alerts turned off, 2FA no longer \
     required, a base permission raised.",
    "Drift is how an access change meant for four people becomes access for everyone; the audit must say so \
     on its next run.",
    "acme/complaints: visibility private → public",
    "Review the change with whoever made it (the audit log names them) and revert it if unintended."
);

meta!(
    SETTING_CHANGED,
    "LG581",
    "setting-changed",
    Severity::Note,
    "A setting changed since the previous snapshot",
    "Compared with `--baseline`: a change that is not a loosening (a tightening, a rename, a new team with \
     read).",
    "A record of what changed keeps the next review short.",
    "acme/api: admins [alice, bob] → [alice]",
    "Nothing to fix; acknowledge by using this run's snapshot as the next baseline."
);

meta!(
    REPOSITORY_APPEARED_OR_GONE,
    "LG582",
    "repository-appeared-or-disappeared",
    Severity::Warning,
    "A repository appeared or disappeared since the previous snapshot",
    "Compared with `--baseline`: a repository is new in the audited set, or no longer in it (deleted, \
     renamed, transferred, or no longer visible to the token).",
    "A new repository starts with default settings; one that vanished may have moved out of control.",
    "acme/new-service appeared (public)",
    "Check the new repository against the policy; confirm a disappearance was intended."
);

meta!(
    SETTING_UNKNOWN_ALLOWED,
    "LG590",
    "setting-unknown-allowed",
    Severity::Note,
    "A setting could not be read, and --allow-unknown accepts that",
    "The same gap as LG915, reported as a note because the run was started with `--allow-unknown`.",
    "Accepting a gap knowingly is different from not seeing it: the report still names it.",
    "acme/api: webhooks could not be read (grant Webhooks: read)",
    "Grant the permission named in the message to close the gap."
);
