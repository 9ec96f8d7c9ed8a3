"""Guardianship agreements (委托监护责任确认书) for rural left-behind children, a sub-domain of children.

`services` checks and writes (every write audited), `forms` validate, `views` and `urls` are the pages
(/children/agreements/ and a child's agreements, in the children URL namespace), `demo` seeds the demo
children's agreements. The models, GuardianshipAgreement, live in children.models with the child.
"""
