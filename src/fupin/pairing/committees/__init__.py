"""The village committee for poverty alleviation (村扶贫工作委员会): its members and roles, the
households in each member's charge, its meetings, the village labour service posts it sets
up, and the red and black lists of its household scores.

`committee` forms the committee, replaces members, divides the households and records
meetings; `labour` keeps the posts, the villagers' applications with their consent, the
assignments and the work and pay; `lists` keeps the scores, the red list (a reward, a
support measure) and the black list with its notice and appeal; `queries` reads them.

Who may do what: the village posts (village cadre, first secretary, work team: the grant
over the village) keep the committee, its meetings, posts and lists; the township records
appeals too and alone decides them. Each write checks the actor's posts over the village
(`core.access.roles_at`), runs in one transaction and writes its audit event inside it; a
refusal raises `CommitteeError` with a stable code and writes nothing. A system actor (the
CLI operator) passes the role checks, as elsewhere.

The rules the database holds as well: one active committee per village, one current
holder of each officer role, every household in one member's charge at a time, one
meeting of a kind a day, no labour post without the villager's application and consent,
written reasons on every black-list entry, and no black-list consequence on minimum living
support (低保), extreme-poverty support (特困供养) or medical insurance.
"""
