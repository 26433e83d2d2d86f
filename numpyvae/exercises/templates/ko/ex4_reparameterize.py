"""연습 문제 4: Reparameterization Trick의 backward.

강의: 단계2 Reparameterization Trick (Sampling). Forward는 Eq. (2), backward는 Eq. (7).

Forward(주어짐). Encoder는 근사 사후분포(posterior) q(z|x)의 평균 mu와 logvar = log sigma^2
(분산의 log)를 냅니다(Eq. 1). 그래서::

    sigma = exp(logvar / 2)            Eq. (2)
    z     = mu + sigma * eps           eps ~ N(0, I), 호출한 쪽이 샘플링
    mu, logvar, eps, z: (N, latent_dim)      latent_dim: 잠재(latent) 공간의 차원

Backward(여러분의 몫). ``dz`` = dL/dz, shape (N, latent_dim). 원소별로, sigma를 거치는
연쇄 법칙::

    dL/dmu     = dL/dz * dz/dmu                                   -> dmu: (N, latent_dim)
    dL/dlogvar = dL/dz * dz/dsigma * dsigma/dlogvar               -> dlogvar: (N, latent_dim)
    여기서  dz/dmu = 1,  dz/dsigma = eps,  dsigma/dlogvar = sigma / 2      Eq. (7)

힌트:
- dsigma/dlogvar: d/dlogvar exp(logvar / 2) = exp(logvar / 2) * 1/2 = sigma / 2. 1/2은
  지수에서 내려오고, sigma^2 = exp(logvar)이 아니라 sigma입니다.
- ``self.sigma``와 ``self.eps``는 forward가 남겨 둡니다. backward에는 exp도, 새 난수도
  필요 없습니다: 기울기의 eps는 forward가 쓴 eps입니다(검사는 한 forward 뒤에 backward를
  두 번 불러 비교합니다).
- dmu는 dz의 사본이어도 됩니다(``dz.copy()``). ``dz``를 제자리에서 바꾸지 마세요.
- 이 순서로 돌려주세요, ``(dmu, dlogvar)``. dtype은 입력의 것을 지키세요.
- VAE 전체에서는 mu와 logvar가 KL 항(연습 문제 5)에서도 기울기를 받고, 모델이 둘을
  더합니다. 여기서는 z를 거치는 경로만 묻습니다.

여러분의 코드 검사(이 폴더에서, 또는 이 폴더가 있는 폴더에서)::

    numpyvae exercises check --only reparameterize

풀어 본 뒤 library의 구현과 비교해 보세요: numpyvae/reparam.py,
``Reparameterize.backward``.
"""

import numpy as np


class Reparameterize:
    """``z = mu + sigma * eps``, ``sigma = exp(logvar / 2)``: Eq. (2), backward는 Eq. (7)."""

    def __init__(self):
        self.params = {}  # parameter 없음
        self.grads = {}
        self.sigma = self.eps = None

    def forward(self, mu, logvar, eps):
        """``mu``, ``logvar``, ``eps``: (N, latent_dim) -> ``z`` (N, latent_dim)."""
        self.eps = eps
        self.sigma = np.exp(0.5 * logvar)  # Eq. (2): sigma = exp(logvar / 2)
        return mu + self.sigma * eps  # Eq. (2): z = mu + sigma * eps

    def backward(self, dz):
        """``dz`` = dL/dz (N, latent_dim) -> ``(dmu, dlogvar)``, 각각 (N, latent_dim)."""
        # 여러분의 코드: dmu와 dlogvar(두세 줄), 그다음 `return dmu, dlogvar`.
        raise NotImplementedError("exercise 4: write Reparameterize.backward")
