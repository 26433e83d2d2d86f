"""연습 문제 5: KL 항의 기울기.

강의: Loss Function의 Regularization. KL divergence Eq. (5), 그 기울기 Eq. (8).

값(주어짐). 근사 사후분포(posterior) q(z|x) = N(mu, sigma^2), sigma^2 = exp(logvar)와
사전분포(prior) N(0, I) 사이의 KL::

    KL[n] = 1/2 sum_j (mu[n, j]^2 + sigma[n, j]^2 - logvar[n, j] - 1)          Eq. (5)
    mu, logvar: (N, latent_dim)    KL: (N,)      latent_dim: 잠재(latent) 차원

기울기(여러분의 몫): 배치 전체의 KL 합을 원소별로 미분합니다. mu[n, j]와 logvar[n, j]에
의존하는 것은 n번째 예제의 j번째 항뿐이고, sigma^2 = exp(logvar)이므로
d sigma^2 / dlogvar = exp(logvar) = sigma^2::

    dKL/dmu     = 1/2 * d/dmu (mu^2)                          -> dmu: (N, latent_dim)
    dKL/dlogvar = 1/2 * d/dlogvar (exp(logvar) - logvar)      -> dlogvar: (N, latent_dim)

둘 다 직접 계산해 보고, 구한 뒤에 강의의 Eq. (8)과 비교하세요.

힌트:
- Eq. (5)의 1/2을 지키세요: 모든 항에 곱해지므로 모든 도함수에도 곱해집니다.
- d/dlogvar (-logvar - 1) = -1: 기울기의 "- 1"은 상수 -1(도함수 0)이 아니라 -logvar에서
  옵니다.
- sigma^2은 ``np.exp(logvar)``입니다. ``np.exp(logvar / 2)``(그것은 sigma)가 아닙니다.
- 배치에 대해 평균이 아니라 합입니다: 1/N이 없습니다(잠재 차원에 대한 평균도 없습니다).
- logvar는 log sigma가 아니라 log sigma^2입니다. sigma가 아니라 logvar 자체로 미분하세요.
- 입력의 dtype으로 ``{"mu": dmu, "logvar": dlogvar}``를 돌려주세요: numpyvae의 loss처럼
  기울기는 그 입력의 이름을 key로 합니다. 계층의 ``grads``가 ``params``와 같은 key를 쓰는
  것과 같습니다.

여러분의 코드 검사(이 폴더에서, 또는 이 폴더가 있는 폴더에서)::

    numpyvae exercises check --only kl

풀어 본 뒤 library의 구현과 비교해 보세요: numpyvae/losses.py, ``kl_std_normal``.
"""

import numpy as np


def kl_std_normal(mu, logvar):
    """예제별 Eq. (5)와 그 기울기, numpyvae의 loss들이 돌려주는 형태 그대로:
    ``(kl (N,), {"mu": dmu, "logvar": dlogvar})``. 주어짐."""
    kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - logvar - 1, axis=1)  # Eq. (5): (N,)
    return kl, kl_std_normal_grad(mu, logvar)


def kl_std_normal_grad(mu, logvar):
    """Eq. (8): 합한 KL의 ``{"mu": dKL/dmu, "logvar": dKL/dlogvar}``, 각각 (N, latent_dim)."""
    # 여러분의 코드: dmu와 dlogvar(두 줄), 그다음 `return {"mu": dmu, "logvar": dlogvar}`.
    raise NotImplementedError("exercise 5: write kl_std_normal_grad")
